package dev.tiercache.codec;

import org.jspecify.annotations.Nullable;

/**
 * Turns keys and values into bytes and back for the remote tier. Implementations must be
 * thread-safe. {@code null} must round-trip.
 *
 * @author tiercache
 * @see #java(AllowList, ClassLoader)
 * @see #json(tools.jackson.databind.json.JsonMapper, AllowList, ClassLoader)
 * @see #kryo(AllowList, ClassLoader)
 * @see #lz4(ValueCodec, int)
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

	/**
	 * Return {@code codec} held to tiercache's contract: anything it throws becomes a
	 * {@link CodecException}, which degrades the operation to this node's tier and is
	 * counted, never failing the caller's request. Spring Boot applies it to a
	 * {@code ValueCodec} bean of the application.
	 * @param codec the application's codec
	 * @return the guarded codec
	 */
	static ValueCodec guarded(ValueCodec codec) {
		return (codec instanceof GuardedValueCodec) ? codec : new GuardedValueCodec(codec);
	}

	/**
	 * Return a JSON codec on {@code mapper} (needs
	 * {@code tools.jackson.core:jackson-databind}): every value whose declared type is
	 * not final carries its class name, which readers and writers check against
	 * {@code allowList}.
	 * @param mapper the application's mapper, whose modules and settings are kept
	 * @param allowList the classes that may be decoded
	 * @param classLoader the loader of the application's classes, or {@code null} for the
	 * thread context class loader of each call
	 * @return the codec
	 */
	static ValueCodec json(tools.jackson.databind.json.JsonMapper mapper, AllowList allowList,
			@Nullable ClassLoader classLoader) {
		return new JsonValueCodec(mapper, allowList, classLoader);
	}

	/**
	 * Return a compact binary codec on Kryo 5 (needs {@code com.esotericsoftware:kryo}),
	 * resolving classes by name through {@code allowList}.
	 * @param allowList the classes that may be decoded
	 * @param classLoader the loader of the application's classes, or {@code null} for the
	 * thread context class loader of each call
	 * @return the codec
	 */
	static ValueCodec kryo(AllowList allowList, @Nullable ClassLoader classLoader) {
		return new KryoValueCodec(allowList, classLoader);
	}

	/**
	 * Return {@code codec} with LZ4 compression (needs {@code at.yawk.lz4:lz4-java}) of
	 * payloads at least {@code threshold} bytes long. Every node must use the same
	 * setting: the payloads carry a one-byte header.
	 * @param codec the codec whose payloads to compress
	 * @param threshold the length from which payloads are compressed
	 * @return the compressing codec
	 */
	static ValueCodec lz4(ValueCodec codec, int threshold) {
		return new Lz4CompressingCodec(codec, threshold);
	}

}
