package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.KeyNames;
import dev.tiercache.local.CacheEntry;

/**
 * The names tiercache uses in Redis: an entry lives at {@code key-prefix + cache + "::{"
 * + key name + "}"}, its lease at that name plus {@code ":lock"}; the channels are
 * {@code key-prefix + "events"} and {@code key-prefix + "acks:" + node id}.
 *
 * @author tiercache
 */
final class RedisKeys {

	static final byte[] NO_TTL = "0".getBytes(StandardCharsets.US_ASCII);

	private final String prefix;

	RedisKeys(String prefix) {
		this.prefix = prefix;
	}

	/**
	 * Return the Redis key of an entry.
	 * @throws dev.tiercache.codec.CodecException if the key has no stable name
	 */
	String valueKey(String cache, Object key) {
		return this.prefix + cache + "::{" + KeyNames.name(cache, key) + "}";
	}

	static byte[] leaseKey(String valueKey) {
		return utf8(valueKey + ":lock");
	}

	/** A {@code SCAN MATCH} pattern of every key of {@code cache}. */
	byte[] cachePattern(String cache) {
		return utf8(escapeGlob(this.prefix + cache + "::") + "*");
	}

	byte[] eventChannel() {
		return utf8(this.prefix + "events");
	}

	byte[] ackChannel(String nodeId) {
		return utf8(this.prefix + "acks:" + nodeId);
	}

	/**
	 * The time to live argument of the scripts: milliseconds, or {@code "0"} for none.
	 */
	static byte[] ttlArgument(CacheEntry entry) {
		if (entry.ttlNanos() == CacheEntry.FOREVER) {
			return NO_TTL;
		}
		return ascii(Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toMillis(entry.ttlNanos()))));
	}

	private static String escapeGlob(String text) {
		StringBuilder escaped = new StringBuilder(text.length());
		for (char c : text.toCharArray()) {
			if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
				escaped.append('\\');
			}
			escaped.append(c);
		}
		return escaped.toString();
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	static String latin1(byte[] bytes) {
		return new String(bytes, StandardCharsets.ISO_8859_1);
	}

}
