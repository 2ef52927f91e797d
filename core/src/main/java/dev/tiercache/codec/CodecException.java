package dev.tiercache.codec;

/**
 * A key or value that cannot be encoded, or bytes that cannot (or may not) be decoded.
 * The message says which class and what to do about it.
 *
 * @author tiercache
 */
public class CodecException extends IllegalArgumentException {

	public CodecException(String message) {
		super(message);
	}

	public CodecException(String message, Throwable cause) {
		super(message, cause);
	}

}
