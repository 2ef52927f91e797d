package dev.tiercache.remote.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

/**
 * Every command the Redis tier sends, through the circuit breaker: the callers of the
 * {@link RedisScripts}, the clear's {@code SCAN}/{@code UNLINK} and {@code PUBLISH}. A
 * failure is counted in the cache's statistics and becomes a {@link RemoteTierException};
 * the success that closes an open circuit reports a recovery.
 *
 * @author tiercache
 */
final class RedisCommands {

	private static final Log logger = LogFactory.getLog(RedisCommands.class);

	private static final int CLEAR_BATCH = 500;

	private final RedisConnectionFactory connectionFactory;

	private final RedisTierSettings settings;

	private final CircuitBreaker breaker;

	private final Runnable onRecovered;

	RedisCommands(RedisConnectionFactory connectionFactory, RedisTierSettings settings, Runnable onRecovered) {
		this.connectionFactory = connectionFactory;
		this.settings = settings;
		this.onRecovered = onRecovered;
		this.breaker = new CircuitBreaker(settings.failureThreshold(), settings.retryInterval(), System::nanoTime);
	}

	/** Return whether the circuit is open: Redis is considered unreachable. */
	boolean unreachable() {
		return this.breaker.isOpen();
	}

	/** {@link RedisScripts#FETCH}: {value, pttl} or {@code null}. */
	@Nullable List<Object> fetch(StatsCounter stats, byte[] valueKey, byte[] idleTtl) {
		return run(stats, "GET",
				(connection) -> RedisScripts.FETCH.run(connection, ReturnType.MULTI, 1, valueKey, idleTtl));
	}

	/** {@link RedisScripts#FETCH_OR_LEASE}: {value, pttl}, {1} (leased) or {0}. */
	@Nullable List<Object> fetchOrLease(StatsCounter stats, byte[] valueKey, byte[] leaseKey, byte[] idleTtl, byte[] token,
			byte[] leaseMillis) {
		return run(stats, "GET/SET NX", (connection) -> RedisScripts.FETCH_OR_LEASE.run(connection, ReturnType.MULTI, 2,
				valueKey, leaseKey, idleTtl, token, leaseMillis));
	}

	/** {@link RedisScripts#STORE_IF_LEASED}: whether the value was stored. */
	boolean storeIfLeased(StatsCounter stats, byte[] valueKey, byte[] leaseKey, byte[] bytes, byte[] ttl,
			byte[] token) {
		Long stored = run(stats, "SET", (connection) -> RedisScripts.STORE_IF_LEASED.run(connection, ReturnType.INTEGER,
				2, valueKey, leaseKey, bytes, ttl, token));
		return stored != null && stored == 1;
	}

	/** {@link RedisScripts#STORE}. */
	void store(StatsCounter stats, byte[] valueKey, byte[] leaseKey, byte[] bytes, byte[] ttl) {
		run(stats, "SET", (connection) -> RedisScripts.STORE.run(connection, ReturnType.INTEGER, 2, valueKey, leaseKey,
				bytes, ttl));
	}

	/**
	 * {@link RedisScripts#STORE_IF_ABSENT}: the present {value, pttl}, or {@code null}.
	 */
	@Nullable List<Object> storeIfAbsent(StatsCounter stats, byte[] valueKey, byte[] leaseKey, byte[] bytes, byte[] ttl) {
		return run(stats, "SET NX", (connection) -> RedisScripts.STORE_IF_ABSENT.run(connection, ReturnType.MULTI, 2,
				valueKey, leaseKey, bytes, ttl));
	}

	/** {@link RedisScripts#EVICT}: whether a value was removed. */
	boolean evict(StatsCounter stats, byte[] valueKey, byte[] leaseKey) {
		Long removed = run(stats, "UNLINK",
				(connection) -> RedisScripts.EVICT.run(connection, ReturnType.INTEGER, 2, valueKey, leaseKey));
		return removed != null && removed > 0;
	}

	void unlink(StatsCounter stats, byte[] key) {
		run(stats, "UNLINK", (connection) -> connection.keyCommands().unlink(key));
	}

	/** {@link RedisScripts#RELEASE}: whether {@code token} held the lease. */
	boolean release(@Nullable StatsCounter stats, byte[] leaseKey, byte[] token) {
		Long released = run(stats, "DEL",
				(connection) -> RedisScripts.RELEASE.run(connection, ReturnType.INTEGER, 1, leaseKey, token));
		return released != null && released == 1;
	}

	/** {@link RedisScripts#EXTEND}: whether {@code token} still held the lease. */
	boolean extend(@Nullable StatsCounter stats, byte[] leaseKey, byte[] token, byte[] leaseMillis) {
		Long extended = run(stats, "PEXPIRE", (connection) -> RedisScripts.EXTEND.run(connection, ReturnType.INTEGER, 1,
				leaseKey, token, leaseMillis));
		return extended != null && extended == 1;
	}

	/**
	 * Remove every key that matches {@code pattern}, with {@code SCAN} and batches of
	 * {@code UNLINK}, never {@code KEYS}.
	 * @return how many keys were removed
	 */
	long clear(StatsCounter stats, byte[] pattern) {
		return run(stats, "SCAN/UNLINK", (connection) -> {
			long count = 0;
			List<byte[]> batch = new ArrayList<>(CLEAR_BATCH);
			try (Cursor<byte[]> keys = connection.keyCommands()
				.scan(ScanOptions.scanOptions().match(pattern).count(1000).build())) {
				while (keys.hasNext()) {
					batch.add(keys.next());
					if (batch.size() == CLEAR_BATCH) {
						count += unlink(connection, batch);
					}
				}
			}
			return count + unlink(connection, batch);
		});
	}

	private static long unlink(RedisConnection connection, List<byte[]> batch) {
		if (batch.isEmpty()) {
			return 0;
		}
		Long removed = connection.keyCommands().unlink(batch.toArray(byte[][]::new));
		batch.clear();
		return (removed != null) ? removed : 0;
	}

	/** {@code PUBLISH}: how many subscribers received the message. */
	@Nullable Long publish(@Nullable StatsCounter stats, byte[] channel, byte[] message) {
		return run(stats, "PUBLISH", (connection) -> connection.publish(channel, message));
	}

	/**
	 * Run a command, through the circuit breaker. A failure is counted in {@code stats}
	 * and becomes a {@link RemoteTierException}.
	 */
	<T> T run(@Nullable StatsCounter stats, String command, Function<RedisConnection, T> action) {
		if (!this.breaker.allowRequest()) {
			if (stats != null) {
				stats.record(Counter.REDIS_ERRORS);
			}
			throw new CircuitOpenException("Redis is unavailable (circuit open after repeated failures); "
					+ "serving from the local tier, retrying every " + this.settings.retryInterval());
		}
		T result;
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			result = action.apply(connection);
		}
		catch (RuntimeException ex) {
			if (stats != null) {
				stats.record(Counter.REDIS_ERRORS);
			}
			if (this.breaker.onFailure()) {
				logger.warn("tiercache: Redis is failing (" + ex.getMessage()
						+ "); caches run on their local tier until it answers again");
			}
			throw new RemoteTierException("Redis " + command + " failed: " + ex.getMessage(), ex);
		}
		if (this.breaker.onSuccess()) {
			this.onRecovered.run();
		}
		return result;
	}

}
