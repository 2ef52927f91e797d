package dev.tiercache.codec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

import org.jspecify.annotations.Nullable;

/**
 * Java serialization behind an {@link AllowList}. The filter is checked for every class
 * in the stream before it is resolved, so a refused class is never loaded or
 * instantiated.
 *
 * @author tiercache
 */
final class JavaSerializationCodec implements ValueCodec {

	private final AllowList allowList;

	JavaSerializationCodec(AllowList allowList) {
		this.allowList = allowList;
	}

	@Override
	public byte[] encode(@Nullable Object value) {
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
		try (ObjectInputStream in = new FilteredObjectInputStream(new ByteArrayInputStream(bytes), this.allowList)) {
			return in.readObject();
		}
		catch (InvalidClassException ex) {
			throw new CodecException("Refused a payload: " + ex.getMessage() + " is outside the deserialization "
					+ "allow-list " + this.allowList + "; add its package to tiercache.serialization.allowed-packages "
					+ "if it is yours", ex);
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

		FilteredObjectInputStream(ByteArrayInputStream in, AllowList allowList) throws IOException {
			super(in);
			setObjectInputFilter(allowList);
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
