package dev.tiercache.codec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Java serialization behind an {@link AllowList}, with the same rules on both sides. A
 * reader ({@link FilteredObjectInputStream}) checks every class by name before it is
 * resolved, so a refused class is never loaded or instantiated, and bounds what a payload
 * may demand ({@link PayloadFilter}); a writer ({@link CheckedObjectOutputStream}) checks
 * every class of the value's whole object graph against the same allow-list and bounds,
 * so a value no node could read fails the write instead.
 *
 * <p>
 * Strings, longs and integers, the usual keys, skip Java serialization: one tag byte,
 * then UTF-8 or the number's big-endian bytes. A Java serialization stream starts with
 * {@code 0xACED}, so the two never mix up, and bytes written before the tags existed
 * still decode.
 *
 * @author tiercache
 */
final class JavaSerializationCodec implements ValueCodec {

	private final AllowList allowList;

	private final @Nullable ClassLoader classLoader;

	JavaSerializationCodec(AllowList allowList, @Nullable ClassLoader classLoader) {
		this.allowList = allowList;
		this.classLoader = classLoader;
	}

	private static final byte STRING = 1;

	private static final byte LONG = 2;

	private static final byte INTEGER = 3;

	@Override
	public byte[] encode(@Nullable Object value) {
		if (value instanceof String string) {
			byte[] utf8 = string.getBytes(StandardCharsets.UTF_8);
			byte[] bytes = new byte[1 + utf8.length];
			bytes[0] = STRING;
			System.arraycopy(utf8, 0, bytes, 1, utf8.length);
			return bytes;
		}
		if (value instanceof Long number) {
			return ByteBuffer.allocate(9).put(LONG).putLong(number).array();
		}
		if (value instanceof Integer number) {
			return ByteBuffer.allocate(5).put(INTEGER).putInt(number).array();
		}
		try {
			return CheckedObjectOutputStream.serialize(value, this.allowList);
		}
		catch (CodecException ex) {
			throw new CodecException("Cannot cache " + describe(value) + " remotely: " + ex.getMessage(), ex);
		}
		catch (NotSerializableException ex) {
			throw new CodecException("Cannot serialize " + describe(value) + ": " + ex.getMessage()
					+ " does not implement java.io.Serializable. Make it Serializable, or keep the cache local "
					+ "(tiercache.mode=local)", ex);
		}
		catch (IOException | RuntimeException ex) {
			throw new CodecException("Cannot serialize " + describe(value) + ": " + ex, ex);
		}
		catch (StackOverflowError ex) {
			// Java serialization recurses once per level; a node reads
			// PayloadFilter.MAX_DEPTH.
			throw new CodecException("Cannot cache " + describe(value) + " remotely: it is nested far deeper than "
					+ "the " + PayloadFilter.MAX_DEPTH + " levels a node reads. Cache a flatter value", ex);
		}
	}

	@Override
	public @Nullable Object decode(byte[] bytes) {
		if (bytes.length > 0 && bytes[0] == STRING) {
			return new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
		}
		if (bytes.length == 9 && bytes[0] == LONG) {
			return ByteBuffer.wrap(bytes, 1, 8).getLong();
		}
		if (bytes.length == 5 && bytes[0] == INTEGER) {
			return ByteBuffer.wrap(bytes, 1, 4).getInt();
		}
		if (bytes.length > PayloadFilter.MAX_BYTES) {
			throw new CodecException(
					"Refused a payload of " + bytes.length + " bytes, more than " + PayloadFilter.MAX_BYTES);
		}
		PayloadFilter filter = new PayloadFilter(this.allowList, bytes.length);
		try (FilteredObjectInputStream in = new FilteredObjectInputStream(new ByteArrayInputStream(bytes), filter,
				this.classLoader)) {
			return in.readObject();
		}
		catch (IOException | ClassNotFoundException | RuntimeException | LinkageError ex) {
			// A LinkageError: a class of the payload needs one this node does not have.
			String refusal = filter.refusal();
			if (refusal != null) {
				throw new CodecException("Refused a payload of " + bytes.length + " bytes: " + refusal, ex);
			}
			throw new CodecException("Cannot deserialize a payload of " + bytes.length + " bytes: " + ex, ex);
		}
	}

	private static String describe(@Nullable Object value) {
		return "a value of class " + ((value != null) ? value.getClass().getName() : "null");
	}

}
