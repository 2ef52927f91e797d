package dev.tiercache.remote.redis;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.Rejections;
import org.jspecify.annotations.Nullable;

/**
 * Reads an entry from a script's {@code {value, pttl}} reply, with the codec's
 * allow-list: a value the codec refuses, or one that is about to expire, is no entry.
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

	@Nullable CacheEntry read(Registration registration, @Nullable List<Object> reply) {
		if (reply == null || reply.size() < 2 || !(reply.get(0) instanceof byte[] bytes)
				|| !(reply.get(1) instanceof Long ttlMillis)) {
			return null;
		}
		if (ttlMillis == 0 || ttlMillis == -2) {
			return null;
		}
		long ttlNanos = (ttlMillis < 0) ? CacheEntry.FOREVER : TimeUnit.MILLISECONDS.toNanos(ttlMillis);
		try {
			return new CacheEntry(this.codec.decode(bytes), ttlNanos);
		}
		catch (CodecException ex) {
			this.rejections.record(registration.stats(), ex);
			return null;
		}
	}

	byte[] encode(@Nullable Object value) {
		return this.codec.encode(value);
	}

}
