package dev.tiercache.remote.peers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import dev.tiercache.codec.CodecException;

/**
 * A request or response between peers, in a compact binary form (no Java serialization of
 * the envelope): a magic byte and version, the type, the cache name, the serialized key,
 * the serialized value, a time to live in nanoseconds and a lease token. Fields a type
 * does not use are empty. Anything malformed or larger than {@link #MAX_SIZE} is refused.
 *
 * @param type what is asked or answered
 * @param cache the cache name
 * @param key the codec-serialized key, or empty
 * @param value the codec-serialized value, or empty
 * @param ttlNanos a remaining time to live, or 0
 * @param token a lease token, or 0
 * @author tiercache
 */
record PeerMessage(Type type, String cache, byte[] key, byte[] value, long ttlNanos, long token) {

	static final int MAX_SIZE = 32 * 1024 * 1024;

	private static final byte[] EMPTY = new byte[0];

	private static final int MAGIC = 0x7D;

	private static final int VERSION = 1;

	/** The token of a {@code VALUE} that answers a parked request. */
	static final long WAITED = 1;

	enum Type {

		/** Request: the owner's entry, or a miss. */
		FETCH,

		/** Request: the owner's entry, or a lease to load it, or wait for the holder. */
		FETCH_OR_LEASE,

		/** Request: store a value loaded under the lease {@code token}. */
		STORE_LEASED,

		/** Request: give up the lease {@code token} (the load failed). */
		RELEASE,

		/** Request: store a value. */
		PUT,

		/** Request: store a value unless there is one. */
		PUT_IF_ABSENT,

		/** Request: remove a key. */
		EVICT,

		/** Request (to every member): remove every entry of the cache. */
		CLEAR,

		/** Request (to every member but the owner): drop your copy of the key. */
		INVALIDATE,

		/** Request: take these entries, you own them now. */
		HANDOFF,

		/** Response: the entry, with its remaining time to live. */
		VALUE,

		/** Response: no entry. */
		MISS,

		/** Response: you hold the lease {@code token}; load and store. */
		LEASED,

		/** Response: done; {@code ttlNanos} is 1 if something changed, else 0. */
		OK,

		/** Response: I do not own this key; load locally. Never forwarded further. */
		NOT_OWNER,

		/**
		 * Response: the key is still being loaded (or a write cancelled the load): ask
		 * again. Sent after a request was parked for half the rpc timeout, so that a
		 * requester notices a dead owner within its timeout.
		 */
		WAIT,

		/** Response: I could not serve this request (a value I cannot encode, say). */
		ERROR,

		/** Response: I have no cache of that name; load locally. */
		NO_CACHE,

		/**
		 * Request: the holder of lease {@code token} is still loading; keep the lease.
		 */
		EXTEND,

		/**
		 * Request (to every member, after a {@code CLEAR} has reached them all): drop
		 * every hot copy of the cache, since one may have been fetched from an owner that
		 * had not cleared yet.
		 */
		DROP_HOT,

		/**
		 * Request: the lease {@code token} to refresh a key whose entry is due (its
		 * remaining time to live at most {@code ttlNanos}) or gone, if no one holds it;
		 * answered {@code LEASED}, or {@code OK} when there is nothing to refresh. Never
		 * parked.
		 */
		REFRESH

	}

	static PeerMessage of(Type type, String cache) {
		return new PeerMessage(type, cache, EMPTY, EMPTY, 0, 0);
	}

	static PeerMessage of(Type type, String cache, byte[] key) {
		return new PeerMessage(type, cache, key, EMPTY, 0, 0);
	}

	static PeerMessage reply(Type type) {
		return new PeerMessage(type, "", EMPTY, EMPTY, 0, 0);
	}

	static PeerMessage value(byte[] value, long ttlNanos) {
		return new PeerMessage(Type.VALUE, "", EMPTY, value, ttlNanos, 0);
	}

	/**
	 * Return whether this {@code VALUE} answers a request that waited for another
	 * member's load (a lease wait, not a remote hit).
	 */
	boolean afterWait() {
		return this.token == WAITED;
	}

	static PeerMessage ok(boolean changed) {
		return new PeerMessage(Type.OK, "", EMPTY, EMPTY, changed ? 1 : 0, 0);
	}

	PeerMessage withToken(long token) {
		return new PeerMessage(this.type, this.cache, this.key, this.value, this.ttlNanos, token);
	}

	PeerMessage withValue(byte[] value, long ttlNanos) {
		return new PeerMessage(this.type, this.cache, this.key, value, ttlNanos, this.token);
	}

	byte[] encode() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(40 + this.key.length + this.value.length);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(MAGIC);
			out.writeByte(VERSION);
			out.writeByte(this.type.ordinal());
			out.writeUTF(this.cache);
			out.writeInt(this.key.length);
			out.write(this.key);
			out.writeInt(this.value.length);
			out.write(this.value);
			out.writeLong(this.ttlNanos);
			out.writeLong(this.token);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Decode a message.
	 * @param bytes what arrived
	 * @param offset where it starts
	 * @param length its length
	 * @return the message
	 * @throws CodecException if it is not a well-formed message of this version
	 */
	static PeerMessage decode(byte[] bytes, int offset, int length) {
		if (length > MAX_SIZE) {
			throw new CodecException("Dropped a peer message of " + length + " bytes, more than " + MAX_SIZE);
		}
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, offset, length))) {
			if (in.readUnsignedByte() != MAGIC || in.readUnsignedByte() != VERSION) {
				throw new CodecException(
						"Dropped a peer message that is not a tiercache message of version " + VERSION);
			}
			int type = in.readUnsignedByte();
			if (type >= Type.values().length) {
				throw new CodecException("Dropped a peer message of unknown type " + type);
			}
			String cache = in.readUTF();
			byte[] key = readBytes(in);
			byte[] value = readBytes(in);
			long ttlNanos = in.readLong();
			long token = in.readLong();
			if (in.available() != 0) {
				throw new CodecException("Dropped a peer message with " + in.available() + " trailing bytes");
			}
			return new PeerMessage(Type.values()[type], cache, key, value, ttlNanos, token);
		}
		catch (IOException ex) {
			throw new CodecException("Dropped a truncated peer message of " + length + " bytes", ex);
		}
	}

	private static byte[] readBytes(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 0 || length > in.available()) {
			throw new CodecException("Dropped a peer message with a field length of " + length);
		}
		return in.readNBytes(length);
	}

}
