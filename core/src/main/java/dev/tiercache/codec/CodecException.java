package dev.tiercache.codec;

import org.jspecify.annotations.Nullable;

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

	/**
	 * Return the first {@code CodecException} in the cause chain of {@code failure}
	 * (itself included): a refusal that a library wrapped in its own exception.
	 * @param failure a failure
	 * @return the refusal, or {@code null} if there is none
	 */
	static @Nullable CodecException find(@Nullable Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof CodecException codec) {
				return codec;
			}
		}
		return null;
	}

}
