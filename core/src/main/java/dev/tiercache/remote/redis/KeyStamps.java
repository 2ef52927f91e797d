package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;

/**
 * The stamp that a Redis entry carries in front of its value, so that it is read only by
 * the key that stored it.
 *
 * <p>
 * An entry's Redis name is its key's string form ({@link dev.tiercache.codec.KeyNames}),
 * which is not one-to-one: {@code 1}, {@code 1L} and {@code "1"} have one name, as do
 * {@code SimpleKey("a, b", "c")} and {@code SimpleKey("a", "b, c")}. The name stays the
 * unit of storage, leases and invalidation (an eviction by any key of a name removes the
 * entry and every hot copy of that name), but the value is stamped with a digest of its
 * key: a reader whose key gives another stamp sees a miss, never the other key's value.
 *
 * <p>
 * A stamp is {@code 0xF7 't' 'c' 0x02} followed by the SHA-256 of the key's class name
 * and its encoding by the codec (or, for a key the codec refuses, its string form). The
 * class name keeps apart keys that a codec writes alike (JSON writes {@code 1} and
 * {@code 1L} the same). SHA-256 makes an accidental match of two keys' stamps negligible;
 * the codec must encode equal keys to equal bytes (all the shipped codecs do for keys of
 * fixed field order; a key that holds a hash-ordered collection may give two stamps,
 * which costs a miss, never a wrong value). An entry of an older format has no stamp and
 * reads as a miss.
 *
 * @author tiercache
 */
final class KeyStamps {

	/** Bytes of a stamp: a 4-byte format marker and a SHA-256 digest. */
	static final int LENGTH = 36;

	private static final byte[] MARKER = { (byte) 0xF7, 't', 'c', 2 };

	private final ValueCodec codec;

	KeyStamps(ValueCodec codec) {
		this.codec = codec;
	}

	/**
	 * Return the stamp of {@code key}. Off the hit path: called once per remote read or
	 * write.
	 */
	byte[] of(Object key) {
		MessageDigest digest = sha256();
		digest.update(key.getClass().getName().getBytes(StandardCharsets.UTF_8));
		byte[] encoded;
		try {
			encoded = this.codec.encode(key);
			digest.update((byte) 0);
		}
		catch (CodecException ex) {
			// A key that only has a name: its class and name are all nodes agree on.
			encoded = String.valueOf(key).getBytes(StandardCharsets.UTF_8);
			digest.update((byte) 1);
		}
		digest.update(encoded);
		byte[] stamp = Arrays.copyOf(MARKER, LENGTH);
		try {
			digest.digest(stamp, MARKER.length, LENGTH - MARKER.length);
		}
		catch (java.security.DigestException ex) {
			throw new IllegalStateException(ex);
		}
		return stamp;
	}

	/** Return {@code value} behind {@code stamp}, as it is stored. */
	static byte[] stamped(byte[] stamp, byte[] value) {
		byte[] stored = Arrays.copyOf(stamp, LENGTH + value.length);
		System.arraycopy(value, 0, stored, LENGTH, value.length);
		return stored;
	}

	/** Return whether {@code stored} begins with {@code stamp}. */
	static boolean matches(byte[] stamp, byte[] stored) {
		return stored.length >= LENGTH && Arrays.equals(stamp, 0, LENGTH, stored, 0, LENGTH);
	}

	/** Return the value of a stored entry that {@link #matches} its stamp. */
	static byte[] value(byte[] stored) {
		return Arrays.copyOfRange(stored, LENGTH, stored.length);
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every Java platform", ex);
		}
	}

}
