package dev.tiercache.codec;

import org.jspecify.annotations.Nullable;

/**
 * Turns keys and values into bytes and back for the remote tier. Implementations must be
 * thread-safe. {@code null} must round-trip.
 *
 * @author tiercache
 * @see #java(AllowList)
 */
public interface ValueCodec {

	/**
	 * Encode {@code value}.
	 * @param value the value, or {@code null}
	 * @return its bytes
	 * @throws CodecException if the value cannot be encoded; the message names its class
	 */
	byte[] encode(@Nullable Object value);

	/**
	 * Decode bytes made by {@link #encode(Object)}.
	 * @param bytes the bytes
	 * @return the value, or {@code null}
	 * @throws CodecException if the bytes are malformed or name a class that is not
	 * allowed; nothing of a refused class is instantiated
	 */
	@Nullable Object decode(byte[] bytes);

	/**
	 * Return the default codec: Java serialization restricted to {@code allowList}.
	 * @param allowList the classes that may be decoded
	 * @return the codec
	 */
	static ValueCodec java(AllowList allowList) {
		return new JavaSerializationCodec(allowList, null);
	}

	/**
	 * Return the default codec, resolving classes with {@code classLoader}: Java
	 * serialization restricted to {@code allowList}.
	 * @param allowList the classes that may be decoded
	 * @param classLoader the loader of the application's classes (in Spring, the bean
	 * class loader), or {@code null} for the thread context class loader of each call
	 * @return the codec
	 */
	static ValueCodec java(AllowList allowList, @Nullable ClassLoader classLoader) {
		return new JavaSerializationCodec(allowList, classLoader);
	}

}
