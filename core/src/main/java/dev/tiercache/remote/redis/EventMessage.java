package dev.tiercache.remote.redis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import dev.tiercache.codec.CodecException;
import org.jspecify.annotations.Nullable;

/**
 * A message on tiercache's Redis channels, in a compact binary form that needs no Java
 * serialization: a magic byte and version, the type, the sender's node id, a message id,
 * the cache name and a payload (the key name of an invalidation, or the Redis key of a
 * load). Anything else is refused.
 *
 * @param type what happened
 * @param sender the id of the node that sent it
 * @param id the sender's message id (acknowledged by {@link Type#ACK})
 * @param cache the cache name, empty when there is none
 * @param payload the key name, the Redis key, or empty
 * @author tiercache
 */
record EventMessage(Type type, String sender, long id, String cache, byte[] payload) {

	static final int MAX_SIZE = 64 * 1024;

	private static final int MAGIC = 0x7C;

	/** 2: an invalidation carries the key's name, not its serialized form (version 1). */
	private static final int VERSION = 2;

	enum Type {

		/**
		 * An entry changed or was removed; the payload is the key's name
		 * ({@link dev.tiercache.codec.KeyNames}) in UTF-8.
		 */
		INVALIDATE,

		/** A cache was cleared. */
		CLEAR,

		/** A lease holder finished a load; the payload is the Redis key. */
		LOADED,

		/** A node's heartbeat, to check its own subscription. */
		PING,

		/** A node dropped its copies after an invalidation with this id. */
		ACK

	}

	byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + this.payload.length);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(MAGIC);
			out.writeByte(VERSION);
			out.writeByte(this.type.ordinal());
			out.writeUTF(this.sender);
			out.writeLong(this.id);
			out.writeUTF(this.cache);
			out.writeInt(this.payload.length);
			out.write(this.payload);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Decode a message.
	 * @param bytes what arrived on the channel
	 * @return the message
	 * @throws Unreadable if it is not a well-formed message of this version; it carries
	 * the message's header when that much could be read (an oversized message, or one of
	 * another version), so that the receiver can still act on it
	 */
	static EventMessage decode(byte[] bytes) {
		if (bytes.length > MAX_SIZE) {
			throw new Unreadable("Dropped a message of " + bytes.length + " bytes, more than " + MAX_SIZE,
					header(bytes));
		}
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			if (in.readUnsignedByte() != MAGIC || in.readUnsignedByte() != VERSION) {
				throw new Unreadable("Dropped a message that is not a tiercache message of version " + VERSION,
						header(bytes));
			}
			int type = in.readUnsignedByte();
			if (type >= Type.values().length) {
				throw new Unreadable("Dropped a message of unknown type " + type, null);
			}
			String sender = in.readUTF();
			long id = in.readLong();
			String cache = in.readUTF();
			int length = in.readInt();
			if (length < 0 || length > in.available()) {
				throw new Unreadable("Dropped a message with a payload length of " + length, null);
			}
			byte[] payload = in.readNBytes(length);
			if (in.available() != 0) {
				throw new Unreadable("Dropped a message with " + in.available() + " trailing bytes", null);
			}
			return new EventMessage(Type.values()[type], sender, id, cache, payload);
		}
		catch (IOException ex) {
			throw new Unreadable("Dropped a truncated message of " + bytes.length + " bytes", null);
		}
	}

	/**
	 * Read the header of a tiercache message of any version whose header has this
	 * version's layout (magic, version, type, sender, id, cache), with an empty payload;
	 * {@code null} if there is none to read.
	 */
	private static @Nullable EventMessage header(byte[] bytes) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
			if (in.readUnsignedByte() != MAGIC) {
				return null;
			}
			in.readUnsignedByte();
			int type = in.readUnsignedByte();
			if (type >= Type.values().length) {
				return null;
			}
			return new EventMessage(Type.values()[type], in.readUTF(), in.readLong(), in.readUTF(), new byte[0]);
		}
		catch (IOException ex) {
			return null;
		}
	}

	/**
	 * A message that could not be read, with its header when that could.
	 */
	static final class Unreadable extends CodecException {

		private final transient @Nullable EventMessage header;

		Unreadable(String message, @Nullable EventMessage header) {
			super(message);
			this.header = header;
		}

		@Nullable EventMessage header() {
			return this.header;
		}

	}

}
