package dev.tiercache.remote.redis;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.tiercache.remote.RemoteTierException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
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

	/**
	 * Error replies that say something about the command or the key, not about Redis
	 * being reachable: sending the command again gets the same answer.
	 */
	private static final List<String> COMMAND_ERRORS = List.of("ERR", "WRONGTYPE", "CROSSSLOT", "OOM", "NOPERM",
			"NOSCRIPT", "EXECABORT");

	private final CircuitBreaker breaker;

	private final Runnable onRecovered;

	private final Runnable onOutage;

	private volatile String lastFailure = "";

	private final ClusterTopology topology;

	/**
	 * Create the commands.
	 * @param onRecovered called when the circuit closes again
	 * @param onOutage called when the circuit opens, on the thread whose command failed
	 */
	RedisCommands(RedisConnectionFactory connectionFactory, RedisTierSettings settings, Runnable onRecovered,
			Runnable onOutage) {
		this.connectionFactory = connectionFactory;
		this.settings = settings;
		this.onRecovered = onRecovered;
		this.onOutage = onOutage;
		this.topology = new ClusterTopology(connectionFactory);
		// Opens when the last failure-threshold commands all failed; one trial command
		// after retry-interval closes it again or keeps it open.
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.slidingWindow(settings.failureThreshold(), settings.failureThreshold(), SlidingWindowType.COUNT_BASED)
			.failureRateThreshold(100)
			.waitDurationInOpenState(settings.retryInterval())
			.permittedNumberOfCallsInHalfOpenState(1)
			.writableStackTraceEnabled(false)
			.build();
		this.breaker = CircuitBreaker.of("tiercache-redis", config);
		this.breaker.getEventPublisher().onStateTransition(this::transition);
	}

	private void transition(CircuitBreakerOnStateTransitionEvent event) {
		switch (event.getStateTransition()) {
			case CLOSED_TO_OPEN -> {
				logger.warn("tiercache: Redis is failing (" + this.lastFailure
						+ "); caches run on their local tier until it answers again");
				this.onOutage.run();
			}
			case HALF_OPEN_TO_CLOSED -> this.onRecovered.run();
			default -> {
			}
		}
	}

	/**
	 * Return whether the circuit is open or half-open: Redis is considered unreachable.
	 */
	boolean unreachable() {
		return this.breaker.getState() != CircuitBreaker.State.CLOSED;
	}

	/**
	 * {@link RedisScripts#FETCH}: {value, pttl}, {0} (another key's value) or
	 * {@code null}.
	 */
	@Nullable List<Object> fetch(StatsCounter stats, byte[] valueKey, byte[] idleTtl, byte[] stamp) {
		return run(stats, "GET",
				(connection) -> RedisScripts.FETCH.run(connection, ReturnType.MULTI, 1, valueKey, idleTtl, stamp));
	}

	/**
	 * {@link RedisScripts#FETCH_OR_LEASE}: {value, pttl}, {1, c} (leased) or {0, c}.
	 */
	@Nullable List<Object> fetchOrLease(StatsCounter stats, byte[] valueKey, byte[] leaseKey, byte[] idleTtl, byte[] token,
			byte[] leaseMillis, byte[] stamp) {
		return run(stats, "GET/SET NX", (connection) -> RedisScripts.FETCH_OR_LEASE.run(connection, ReturnType.MULTI, 2,
				valueKey, leaseKey, idleTtl, token, leaseMillis, stamp));
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
	@Nullable List<Object> storeIfAbsent(StatsCounter stats, byte[] valueKey, byte[] leaseKey, byte[] bytes, byte[] ttl,
			byte[] stamp) {
		return run(stats, "SET NX", (connection) -> RedisScripts.STORE_IF_ABSENT.run(connection, ReturnType.MULTI, 2,
				valueKey, leaseKey, bytes, ttl, stamp));
	}

	/** {@link RedisScripts#EVICT}: whether a value was removed. */
	boolean evict(StatsCounter stats, byte[] valueKey, byte[] leaseKey) {
		Long removed = run(stats, "UNLINK",
				(connection) -> RedisScripts.EVICT.run(connection, ReturnType.INTEGER, 2, valueKey, leaseKey));
		return removed != null && removed > 0;
	}

	byte @Nullable [] get(StatsCounter stats, byte[] key) {
		return run(stats, "GET", (connection) -> connection.stringCommands().get(key));
	}

	void increment(StatsCounter stats, byte[] key) {
		run(stats, "INCR", (connection) -> connection.stringCommands().incr(key));
	}

	void unlink(StatsCounter stats, byte[] key) {
		run(stats, "UNLINK", (connection) -> connection.keyCommands().unlink(key));
	}

	/**
	 * {@code UNLINK} of many keys, {@value #CLEAR_BATCH} a command (on a Cluster, each
	 * split by the node that holds the keys).
	 */
	void unlinkAll(StatsCounter stats, List<byte[]> keys) {
		run(stats, "UNLINK", (connection) -> unlinkInBatches(connection, keys.iterator()));
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
		ScanOptions options = ScanOptions.scanOptions().match(pattern).count(1000).build();
		return run(stats, "SCAN/UNLINK", (connection) -> {
			if (connection instanceof RedisClusterConnection cluster) {
				// Lettuce's cluster SCAN visits every node flagged master, a dead one
				// too,
				// which stays in the node table after its replica took over until it
				// comes
				// back or is forgotten: scan the masters that serve slots.
				long count = 0;
				for (RedisClusterNode node : cluster.clusterGetNodes()) {
					if (node.isMaster() && node.getSlotRange().getSlotsArray().length > 0) {
						count += unlinkScanned(connection, cluster.scan(node, options));
					}
				}
				return count;
			}
			return unlinkScanned(connection, connection.keyCommands().scan(options));
		});
	}

	private static long unlinkScanned(RedisConnection connection, Cursor<byte[]> cursor) {
		try (Cursor<byte[]> keys = cursor) {
			// All before the cursor closes: closing it closes a dedicated connection.
			return unlinkInBatches(connection, keys);
		}
	}

	/**
	 * {@code UNLINK} every key of {@code keys}, {@value #CLEAR_BATCH} a command.
	 * @return how many keys were removed
	 */
	private static long unlinkInBatches(RedisConnection connection, Iterator<byte[]> keys) {
		long count = 0;
		List<byte[]> batch = new ArrayList<>(CLEAR_BATCH);
		while (keys.hasNext()) {
			batch.add(keys.next());
			if (batch.size() == CLEAR_BATCH) {
				count += unlink(connection, batch);
			}
		}
		return count + unlink(connection, batch);
	}

	private static long unlink(RedisConnection connection, List<byte[]> batch) {
		if (batch.isEmpty()) {
			return 0;
		}
		Long removed = connection.keyCommands().unlink(batch.toArray(byte[][]::new));
		batch.clear();
		return (removed != null) ? removed : 0;
	}

	/**
	 * Who holds the data: the replication id of the server (a standalone or Sentinel
	 * master, or a replica of it), which changes when a replica is promoted or a server
	 * restarts empty ({@link MasterChanges}); on a Cluster, the nodes that serve slots in
	 * Lettuce's view ({@link ClusterTopology#masters()}), which changes when a replica
	 * takes over a shard.
	 * @return the identity, or {@code null} if Redis did not answer
	 */
	@Nullable String masters() {
		if (this.topology.isCluster()) {
			return this.topology.masters();
		}
		try {
			return run(null, "INFO", (connection) -> {
				if (connection instanceof RedisClusterConnection) {
					return null;
				}
				Properties replication = connection.serverCommands().info("replication");
				return (replication != null) ? replication.getProperty("master_replid") : null;
			});
		}
		catch (RemoteTierException ex) {
			return null;
		}
	}

	/**
	 * Lettuce's view of the cluster, {@link #masters()} reads it.
	 */
	ClusterTopology topology() {
		return this.topology;
	}

	/**
	 * On a Cluster, read Lettuce's view of it again in the background, then run
	 * {@code then}: commands to a shard that failed over go to its new master from then
	 * on ({@link ClusterTopology#refresh}).
	 */
	void refreshTopology(Runnable then) {
		this.topology.refresh(then);
	}

	/** {@code PUBLISH}: how many subscribers received the message. */
	@Nullable Long publish(@Nullable StatsCounter stats, byte[] channel, byte[] message) {
		return run(stats, "PUBLISH", (connection) -> connection.publish(channel, message));
	}

	/**
	 * Run a command, through the circuit breaker. A failure is counted in {@code stats}
	 * and becomes a {@link RemoteTierException}. An error reply that a retry cannot fix
	 * ({@code WRONGTYPE}, {@code OOM}, ...) proves that Redis answers: it counts as a
	 * success for the circuit.
	 */
	<T> T run(@Nullable StatsCounter stats, String command, Function<RedisConnection, T> action) {
		if (!this.breaker.tryAcquirePermission()) {
			if (stats != null) {
				stats.record(Counter.REDIS_ERRORS);
			}
			throw new CircuitOpenException("Redis is unavailable (circuit open after repeated failures); "
					+ "serving from the local tier, retrying every " + this.settings.retryInterval());
		}
		long start = System.nanoTime();
		boolean recorded = false;
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			T result = action.apply(connection);
			this.breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
			recorded = true;
			return result;
		}
		catch (RuntimeException ex) {
			if (stats != null) {
				stats.record(Counter.REDIS_ERRORS);
			}
			if (logger.isDebugEnabled()) {
				logger.debug("tiercache: Redis " + command + " failed after " + (System.nanoTime() - start) / 1_000_000
						+ " ms: " + ex);
			}
			if (!recorded) {
				recorded = true;
				if (isCommandError(ex)) {
					this.breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
				}
				else {
					this.lastFailure = String.valueOf(ex.getMessage());
					this.breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, ex);
				}
			}
			throw new RemoteTierException("Redis " + command + " failed: " + ex.getMessage(), ex);
		}
		finally {
			if (!recorded) {
				// An Error: neither a success nor a failure, but a trial must not hang.
				this.breaker.releasePermission();
			}
		}
	}

	/**
	 * Return whether {@code ex} is an error reply about the command itself, not a
	 * connection failure or a timeout.
	 */
	static boolean isCommandError(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof RedisConnectionFailureException || cause instanceof QueryTimeoutException) {
				return false;
			}
		}
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			String message = cause.getMessage();
			if (message != null) {
				int space = message.indexOf(' ');
				if (space > 0 && COMMAND_ERRORS.contains(message.substring(0, space))) {
					return true;
				}
			}
		}
		return false;
	}

}
