package dev.tiercache.remote.redis;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.Rejections;
import dev.tiercache.stats.Counter;
import org.jspecify.annotations.Nullable;

/**
 * Reads an entry from a script's {@code {value, pttl}} reply, with the codec's
 * allow-list: a value the codec refuses, or one that is about to expire, is no entry; nor
 * is a value stamped for another key of the same name, or not stamped at all
 * ({@link KeyStamps}), which the scripts answer with {@code {0}} and count here as a
 * {@link Counter#KEY_COLLISIONS collision}.
 *
 * @author tiercache
 */
final class StoredEntries {

	private final ValueCodec codec;

	private final Rejections rejections;

	StoredEntries(ValueCodec codec, Rejections rejections) {
		this.codec = codec;
		this.rejections = rejections;
	}

	@Nullable CacheEntry read(Registration registration, byte[] stamp, @Nullable List<Object> reply) {
		if (reply != null && reply.size() == 1 && Long.valueOf(0).equals(reply.get(0))) {
			registration.stats().record(Counter.KEY_COLLISIONS);
			return null;
		}
		if (reply == null || reply.size() < 2 || !(reply.get(0) instanceof byte[] bytes)
				|| !(reply.get(1) instanceof Long ttlMillis)) {
			return null;
		}
		if (ttlMillis == 0 || ttlMillis == -2) {
			return null;
		}
		if (!KeyStamps.matches(stamp, bytes)) {
			// The scripts compare stamps already; this is the same rule, kept where the
			// value is decoded.
			registration.stats().record(Counter.KEY_COLLISIONS);
			return null;
		}
		long ttlNanos = (ttlMillis < 0) ? CacheEntry.FOREVER : TimeUnit.MILLISECONDS.toNanos(ttlMillis);
		try {
			return new CacheEntry(this.codec.decode(KeyStamps.value(bytes)), ttlNanos);
		}
		catch (CodecException ex) {
			this.rejections.record(registration.stats(), ex);
			return null;
		}
	}

	/** Encode {@code value} as it is stored: behind its key's stamp. */
	byte[] encode(byte[] stamp, @Nullable Object value) {
		return KeyStamps.stamped(stamp, this.codec.encode(value));
	}

}
