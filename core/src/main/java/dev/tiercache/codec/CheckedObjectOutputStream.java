package dev.tiercache.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Writes a value with the readers' rules, so that nothing is written that no node could
 * read: every class whose descriptor enters the stream (the value's classes, their
 * superclasses, classes written as {@code Class} objects) must pass the same
 * {@link AllowList}, dynamic proxies are refused, and the stream may hold no more objects
 * and bytes than a {@link PayloadFilter} accepts. On the way, an ORM's collections are
 * written as plain ones ({@link OrmCollections}), and Spring Data's unserializable
 * {@code Unpaged} as an {@link UnpagedPageable}.
 *
 * <p>
 * Depth is not checked here: an {@code ObjectOutputStream} does not tell a subclass how
 * deep it is, and walking the stack per object would cost many times the write. A value
 * nested deeper than {@value PayloadFilter#MAX_DEPTH} is refused, and counted, by its
 * readers instead.
 *
 * @author tiercache
 */
final class CheckedObjectOutputStream extends ObjectOutputStream {

	private final AllowList allowList;

	private int objects;

	private CheckedObjectOutputStream(OutputStream out, AllowList allowList) throws IOException {
		super(out);
		this.allowList = allowList;
		enableReplaceObject(true);
	}

	/**
	 * Serialize {@code value}.
	 * @param value the value
	 * @param allowList the classes readers accept
	 * @return the bytes
	 * @throws IOException if the value cannot be serialized
	 * @throws CodecException if no reader would accept it; the message says why
	 */
	static byte[] serialize(@Nullable Object value, AllowList allowList) throws IOException {
		BoundedBuffer buffer = new BoundedBuffer();
		try (CheckedObjectOutputStream out = new CheckedObjectOutputStream(buffer, allowList)) {
			out.writeObject(value);
		}
		return buffer.toByteArray();
	}

	@Override
	protected void annotateClass(Class<?> type) {
		if (!this.allowList.allows(type)) {
			throw new CodecException("it contains class " + type.getName() + ", which is outside the "
					+ "deserialization allow-list " + this.allowList + ", so no node could read it back. Add its "
					+ "package to tiercache.serialization.allowed-packages");
		}
	}

	@Override
	protected void annotateProxyClass(Class<?> type) {
		throw new CodecException("it contains a dynamic proxy of " + Arrays.toString(type.getInterfaces())
				+ ", which no node decodes. Cache the object behind the proxy instead");
	}

	@Override
	protected Object replaceObject(Object obj) {
		// Called once per object written, never for a repeated reference or a null; a
		// reader counts those too, so a value just under the bound may still be refused.
		if (++this.objects > PayloadFilter.MAX_REFERENCES) {
			throw new CodecException("it holds more than " + PayloadFilter.MAX_REFERENCES + " objects, more than a "
					+ "node reads. Cache smaller values");
		}
		if (obj.getClass().getName().equals(UnpagedPageable.UNPAGED)) {
			return UnpagedPageable.of(obj);
		}
		return OrmCollections.replace(obj);
	}

	/**
	 * Stops a write once it is longer than a reader accepts, before it is all in memory.
	 */
	private static final class BoundedBuffer extends ByteArrayOutputStream {

		BoundedBuffer() {
			super(256);
		}

		@Override
		public synchronized void write(int b) {
			ensureRoom(1);
			super.write(b);
		}

		@Override
		public synchronized void write(byte[] b, int off, int len) {
			ensureRoom(len);
			super.write(b, off, len);
		}

		private void ensureRoom(int length) {
			if ((long) this.count + length > PayloadFilter.MAX_BYTES) {
				throw new CodecException("it is longer than " + PayloadFilter.MAX_BYTES + " bytes serialized, more "
						+ "than a node reads. Cache smaller values");
			}
		}

	}

}
