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
 * <p>
 * The braces make the key name the entry's Redis Cluster hash tag, so that the entry and
 * its lease share a slot and the scripts that touch both work on a cluster. A tag must be
 * non-empty and brace-free, so cache and key names are escaped: a backslash becomes two,
 * an opening brace becomes {@code \[}, a closing one {@code \]}, and the empty name is
 * {@code \0}. Other names, nearly all, are used as they are. The escaping is one-to-one,
 * so two keys never share an entry.
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
		return valueKeyOfName(cache, KeyNames.name(cache, key));
	}

	/**
	 * Return the Redis key of the entry whose key name is {@code name}.
	 */
	String valueKeyOfName(String cache, String name) {
		return this.prefix + escape(cache) + "::{" + escape(name) + "}";
	}

	/**
	 * Return {@code name} as a non-empty hash tag without braces, escaping one-to-one.
	 */
	static String escape(String name) {
		if (name.isEmpty()) {
			return "\\0";
		}
		int i = 0;
		while (i < name.length() && !needsEscape(name.charAt(i))) {
			i++;
		}
		if (i == name.length()) {
			return name;
		}
		StringBuilder escaped = new StringBuilder(name.length() + 8).append(name, 0, i);
		for (; i < name.length(); i++) {
			char c = name.charAt(i);
			switch (c) {
				case '\\' -> escaped.append("\\\\");
				case '{' -> escaped.append("\\[");
				case '}' -> escaped.append("\\]");
				default -> escaped.append(c);
			}
		}
		return escaped.toString();
	}

	private static boolean needsEscape(char c) {
		return c == '{' || c == '}' || c == '\\';
	}

	static byte[] leaseKey(String valueKey) {
		return utf8(valueKey + ":lock");
	}

	/**
	 * Return the key that counts the clears of {@code cache}; outside the cache's own
	 * keys, so that a clear does not remove it.
	 */
	byte[] clearsKey(String cache) {
		return utf8(this.prefix + "clears:" + escape(cache));
	}

	/** A {@code SCAN MATCH} pattern of every key of {@code cache}. */
	byte[] cachePattern(String cache) {
		return utf8(escapeGlob(this.prefix + escape(cache) + "::") + "*");
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
