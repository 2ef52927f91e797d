package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.script.DigestUtils;

/**
 * The Lua scripts of the Redis tier. Each runs atomically in Redis and touches only the
 * value key and its lease key, which share a hash slot (the key name is a hash tag), so
 * they work on Redis Cluster too.
 *
 * @author tiercache
 */
final class RedisScripts {

	/**
	 * KEYS[1] value; ARGV[1] sliding time to live in ms, or 0; ARGV[2] the reader's key
	 * stamp ({@link KeyStamps}). Returns {value, pttl}, nil if there is no value, or {0}
	 * if the value is another key's of the same name (or of an older format): a miss,
	 * whose time to live is not slid.
	 */
	static final Script FETCH = new Script("""
			local v = redis.call('GET', KEYS[1])
			if not v then return nil end
			if string.sub(v, 1, #ARGV[2]) ~= ARGV[2] then return {0} end
			if ARGV[1] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
			return {v, redis.call('PTTL', KEYS[1])}
			""");

	/**
	 * KEYS[1] value, KEYS[2] lease; ARGV[1] sliding ttl in ms or 0, ARGV[2] token,
	 * ARGV[3] lease time in ms, ARGV[4] the reader's key stamp. Returns {value, pttl} if
	 * there is a value stamped for this key, else takes the lease if it is free and
	 * returns {1, c}, or {0, c} if another node holds it; c is 1 if a value of another
	 * key of the same name (or of an older format) is there, which the load replaces.
	 * Doing both in one step means no caller can take a lease just after another stored
	 * the value. The lease is the name's: colliding keys load one after the other.
	 */
	static final Script FETCH_OR_LEASE = new Script("""
			local v = redis.call('GET', KEYS[1])
			local other = 0
			if v then
				if string.sub(v, 1, #ARGV[4]) == ARGV[4] then
					if ARGV[1] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
					return {v, redis.call('PTTL', KEYS[1])}
				end
				other = 1
			end
			if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return {1, other} end
			return {0, other}
			""");

	/**
	 * KEYS[1] value, KEYS[2] lease; ARGV[1] bytes, ARGV[2] ttl in ms or 0 for none. A
	 * write cancels a load under way by deleting its lease.
	 */
	static final Script STORE = new Script("""
			if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1])
			else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
			redis.call('DEL', KEYS[2])
			return 1
			""");

	/**
	 * As {@link #STORE}, unless the key has a value: then returns {value, pttl}. ARGV[3]
	 * is the key's stamp: a value of another key of the same name is no value of this
	 * key, and is replaced.
	 */
	static final Script STORE_IF_ABSENT = new Script("""
			local v = redis.call('GET', KEYS[1])
			if v and string.sub(v, 1, #ARGV[3]) == ARGV[3] then return {v, redis.call('PTTL', KEYS[1])} end
			if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1])
			else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
			redis.call('DEL', KEYS[2])
			return nil
			""");

	/**
	 * As {@link #STORE}, but only while ARGV[3] still holds the lease: a write or an
	 * eviction during the load deleted it, and the loaded value must not overwrite them.
	 */
	static final Script STORE_IF_LEASED = new Script("""
			if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end
			if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1])
			else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
			redis.call('DEL', KEYS[2])
			return 1
			""");

	/**
	 * KEYS[1] lease; ARGV[1] token. Deletes the lease only if the token still holds it.
	 */
	static final Script RELEASE = new Script("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
			return 0
			""");

	/**
	 * KEYS[1] lease; ARGV[1] token, ARGV[2] lease time in ms. Restarts the lease's time
	 * only if the token still holds it; returns 1 if it did.
	 */
	static final Script EXTEND = new Script("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
			return 0
			""");

	/** KEYS[1] value, KEYS[2] lease. Returns how many values were removed. */
	static final Script EVICT = new Script("""
			local n = redis.call('UNLINK', KEYS[1])
			redis.call('UNLINK', KEYS[2])
			return n
			""");

	private RedisScripts() {
	}

	/**
	 * A script, run by its SHA-1 digest ({@code EVALSHA}) so that Redis neither receives
	 * nor hashes its body on every call; the body is sent once, when Redis does not know
	 * it yet (after a restart or {@code SCRIPT FLUSH}).
	 */
	static final class Script {

		private final byte[] body;

		private final byte[] sha1;

		Script(String body) {
			this.body = body.getBytes(StandardCharsets.UTF_8);
			this.sha1 = DigestUtils.sha1DigestAsHex(body).getBytes(StandardCharsets.US_ASCII);
		}

		<T> @Nullable T run(RedisConnection connection, ReturnType type, int keys, byte[]... keysAndArgs) {
			try {
				return connection.scriptingCommands().evalSha(this.sha1, type, keys, keysAndArgs);
			}
			catch (RuntimeException ex) {
				if (!isNoScript(ex)) {
					throw ex;
				}
				return connection.scriptingCommands().eval(this.body, type, keys, keysAndArgs);
			}
		}

		private static boolean isNoScript(Throwable ex) {
			for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
				if (cause.getMessage() != null && cause.getMessage().contains("NOSCRIPT")) {
					return true;
				}
			}
			return false;
		}

	}

}
