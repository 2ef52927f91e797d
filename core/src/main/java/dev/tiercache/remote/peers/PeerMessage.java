package dev.tiercache.remote.peers;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

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

	/**
	 * Bytes of every field but the three variable ones: magic, version, type, the name's
	 * length, the key's and the value's lengths, time to live and token.
	 */
	private static final int FIXED_SIZE = 3 + 2 + 4 + 4 + 8 + 8;

	/** The token of a {@code VALUE} that answers a parked request. */
	static final long WAITED = 1;

	/**
	 * The token of an {@code INVALIDATE} whose write the owner did not confirm: do not
	 * read the key from another member until told {@link #CONFIRMED}.
	 */
	static final long UNCONFIRMED = 1;

	/** The token of an {@code INVALIDATE} sent once the owner confirmed the write. */
	static final long CONFIRMED = 2;

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

		/**
		 * Request (to every member but the owner): drop your copy of the key; the token
		 * says whether the owner has not confirmed the write ({@link #UNCONFIRMED}) or
		 * has since ({@link #CONFIRMED}).
		 */
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

	private static final Type[] TYPES = Type.values();

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

	/**
	 * Encode this message into an array of exactly its size (the value is copied once,
	 * not into a growing buffer and out again). The layout is that of
	 * {@code DataOutputStream}: big-endian numbers, the cache name in modified UTF-8.
	 */
	byte[] encode() {
		byte[] bytes = new byte[size()];
		writeTo(ByteBuffer.wrap(bytes));
		return bytes;
	}

	/**
	 * Return the size of this message encoded.
	 */
	int size() {
		int nameLength = modifiedUtf8Length(this.cache);
		if (nameLength > 0xFFFF) {
			throw new UncheckedIOException(new UTFDataFormatException(
					"Cache name of " + nameLength + " bytes is too long for a peer message"));
		}
		return FIXED_SIZE + nameLength + this.key.length + this.value.length;
	}

	/**
	 * Encode this message into {@code out}, which has {@link #size()} bytes left.
	 */
	void writeTo(ByteBuffer out) {
		int nameLength = modifiedUtf8Length(this.cache);
		out.put((byte) MAGIC).put((byte) VERSION).put((byte) this.type.ordinal());
		out.putShort((short) nameLength);
		putModifiedUtf8(out, this.cache);
		out.putInt(this.key.length).put(this.key);
		out.putInt(this.value.length).put(this.value);
		out.putLong(this.ttlNanos).putLong(this.token);
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
		try {
			ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
			if (Byte.toUnsignedInt(in.get()) != MAGIC || Byte.toUnsignedInt(in.get()) != VERSION) {
				throw new CodecException(
						"Dropped a peer message that is not a tiercache message of version " + VERSION);
			}
			int type = Byte.toUnsignedInt(in.get());
			if (type >= TYPES.length) {
				throw new CodecException("Dropped a peer message of unknown type " + type);
			}
			String cache = readModifiedUtf8(in);
			byte[] key = readBytes(in);
			byte[] value = readBytes(in);
			long ttlNanos = in.getLong();
			long token = in.getLong();
			if (in.hasRemaining()) {
				throw new CodecException("Dropped a peer message with " + in.remaining() + " trailing bytes");
			}
			return new PeerMessage(TYPES[type], cache, key, value, ttlNanos, token);
		}
		catch (BufferUnderflowException | IndexOutOfBoundsException | IOException ex) {
			throw new CodecException("Dropped a truncated peer message of " + length + " bytes", ex);
		}
	}

	private static byte[] readBytes(ByteBuffer in) {
		int length = in.getInt();
		if (length < 0 || length > in.remaining()) {
			throw new CodecException("Dropped a peer message with a field length of " + length);
		}
		if (length == 0) {
			return EMPTY;
		}
		byte[] field = new byte[length];
		in.get(field);
		return field;
	}

	/**
	 * Read a string as {@code DataInput.readUTF} does; a name of ASCII characters (the
	 * usual cache name) without a stream around it.
	 */
	private static String readModifiedUtf8(ByteBuffer in) throws IOException {
		int length = Short.toUnsignedInt(in.getShort());
		if (length > in.remaining()) {
			throw new BufferUnderflowException();
		}
		int start = in.arrayOffset() + in.position();
		byte[] array = in.array();
		in.position(in.position() + length);
		for (int i = start; i < start + length; i++) {
			if (array[i] <= 0) {
				// A multi-byte character (or a malformed one): let the JDK decode it.
				ByteBuffer field = ByteBuffer.allocate(2 + length).putShort((short) length).put(array, start, length);
				return DataInputStream.readUTF(new DataInputStream(new ByteArrayInputStream(field.array())));
			}
		}
		return new String(array, start, length, StandardCharsets.ISO_8859_1);
	}

	private static int modifiedUtf8Length(String text) {
		int length = text.length();
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == 0 || c > 0x7F) {
				length += (c > 0x7FF) ? 2 : 1;
			}
		}
		return length;
	}

	private static void putModifiedUtf8(ByteBuffer out, String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c != 0 && c <= 0x7F) {
				out.put((byte) c);
			}
			else if (c <= 0x7FF) {
				out.put((byte) (0xC0 | (c >> 6))).put((byte) (0x80 | (c & 0x3F)));
			}
			else {
				out.put((byte) (0xE0 | (c >> 12)))
					.put((byte) (0x80 | ((c >> 6) & 0x3F)))
					.put((byte) (0x80 | (c & 0x3F)));
			}
		}
	}

}
