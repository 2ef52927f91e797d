package dev.tiercache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
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

	JavaSerializationCodec(AllowList allowList) {
		this.allowList = allowList;
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
		FilteredObjectInputStream in = null;
		try {
			in = new FilteredObjectInputStream(new ByteArrayInputStream(bytes), this.allowList);
			return in.readObject();
		}
		catch (InvalidClassException ex) {
			if (in == null || in.refused == null) {
				throw new CodecException("Refused a payload of " + bytes.length + " bytes nested too deep or with "
						+ "too many references: " + ex.getMessage(), ex);
			}
			throw new CodecException("Refused " + in.refused + ": it is outside the deserialization allow-list "
					+ this.allowList + "; add its package to tiercache.serialization.allowed-packages if it is yours",
					ex);
		}
		catch (IOException | ClassNotFoundException | RuntimeException ex) {
			throw new CodecException("Cannot deserialize a payload of " + bytes.length + " bytes: " + ex, ex);
		}
	}

	private static String describe(@Nullable Object value) {
		return "a value of class " + ((value != null) ? value.getClass().getName() : "null");
	}

	/**
	 * Resolves classes with the thread context class loader (the application's, under
	 * Spring Boot's fat jar) after the allow-list has passed them.
	 */
	private static final class FilteredObjectInputStream extends ObjectInputStream {

		/** The class the allow-list refused, for the error message. */
		private @Nullable String refused;

		FilteredObjectInputStream(ByteArrayInputStream in, AllowList allowList) throws IOException {
			super(in);
			setObjectInputFilter((info) -> {
				ObjectInputFilter.Status status = allowList.checkInput(info);
				if (status == ObjectInputFilter.Status.REJECTED && info.serialClass() != null) {
					this.refused = "class " + info.serialClass().getName();
				}
				return status;
			});
		}

		@Override
		protected Class<?> resolveClass(ObjectStreamClass descriptor) throws IOException, ClassNotFoundException {
			ClassLoader loader = Thread.currentThread().getContextClassLoader();
			if (loader != null) {
				try {
					return Class.forName(descriptor.getName(), false, loader);
				}
				catch (ClassNotFoundException ex) {
					// fall back to the default resolution below
				}
			}
			return super.resolveClass(descriptor);
		}

	}

}
