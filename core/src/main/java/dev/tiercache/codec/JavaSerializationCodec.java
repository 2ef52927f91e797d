package dev.tiercache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Java serialization behind an {@link AllowList}. The filter is checked for every class
 * in the stream before it is resolved, so a refused class is never loaded or
 * instantiated.
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
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		catch (NotSerializableException ex) {
			throw new CodecException("Cannot serialize " + describe(value) + ": " + ex.getMessage()
					+ " does not implement java.io.Serializable. Make it Serializable, or keep the cache local "
					+ "(tiercache.mode=local)", ex);
		}
		catch (IOException | RuntimeException ex) {
			throw new CodecException("Cannot serialize " + describe(value) + ": " + ex, ex);
		}
		if (value != null && !this.allowList.allows(value.getClass())) {
			throw new CodecException("Cannot cache " + describe(value) + " remotely: its class is outside the "
					+ "deserialization allow-list " + this.allowList + ", so no node could read it back. Add its "
					+ "package to tiercache.serialization.allowed-packages");
		}
		return bytes.toByteArray();
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
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
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
