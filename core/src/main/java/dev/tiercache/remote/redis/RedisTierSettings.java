package dev.tiercache.remote.redis;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * Immutable settings of the Redis tier. Start from {@link #defaults()}.
 *
 * @param keyPrefix prefix of every key and channel tiercache uses in Redis
 * @param leaseTimeout how long a load lease lasts: a dead loader blocks no one longer
 * @param invalidationTimeout how long a write waits for the other nodes to confirm an
 * invalidation
 * @param heartbeatInterval how often the invalidation subscription is checked
 * @param timeToIdle whether a read restarts an entry's time to live in Redis
 * ({@code GETEX}-style sliding expiry)
 * @param failureThreshold consecutive failures that open the circuit breaker
 * @param retryInterval how long the circuit stays open before Redis is tried again
 * @param clientTracking whether Redis tells this node of every change of its keys
 * ({@code CLIENT TRACKING ... BCAST}), see {@link ClientTracking}
 * @param onOutage whether hot copies are trusted while Redis or the invalidation
 * subscription is unreachable, see {@link OnOutage}
 * @author tiercache
 */
public record RedisTierSettings(String keyPrefix, Duration leaseTimeout, Duration invalidationTimeout,
		Duration heartbeatInterval, boolean timeToIdle, int failureThreshold, Duration retryInterval,
		ClientTracking clientTracking, OnOutage onOutage) {

	public RedisTierSettings {
		Assert.notNull(keyPrefix, "key-prefix must not be null");
		Assert.isTrue(isPositive(leaseTimeout), "lease-timeout must be positive, for example 10s");
		Assert.isTrue(!invalidationTimeout.isNegative(), "invalidation-timeout must not be negative; 0 does not wait");
		Assert.isTrue(isPositive(heartbeatInterval), "heartbeat-interval must be positive, for example 1s");
		Assert.isTrue(failureThreshold > 0, "failure-threshold must be at least 1");
		Assert.isTrue(isPositive(retryInterval), "retry-interval must be positive, for example 1s");
		Assert.notNull(clientTracking, "client-tracking must not be null");
		Assert.notNull(onOutage, "on-outage must not be null: serve-hot or drop-hot");
		Assert.isTrue(!(timeToIdle && clientTracking != ClientTracking.OFF),
				"client-tracking cannot be combined with time-to-idle: every read moves the entry's time to live, "
						+ "which Redis reports as a change, so every read would drop every node's hot copy. "
						+ "Set tiercache.redis.client-tracking=off or tiercache.redis.time-to-idle=false");
	}

	/**
	 * Settings whose hot copies serve during an outage ({@link OnOutage#SERVE_HOT}).
	 */
	public RedisTierSettings(String keyPrefix, Duration leaseTimeout, Duration invalidationTimeout,
			Duration heartbeatInterval, boolean timeToIdle, int failureThreshold, Duration retryInterval,
			ClientTracking clientTracking) {
		this(keyPrefix, leaseTimeout, invalidationTimeout, heartbeatInterval, timeToIdle, failureThreshold,
				retryInterval, clientTracking, OnOutage.SERVE_HOT);
	}

	/**
	 * Settings without client tracking ({@link ClientTracking#OFF}).
	 */
	public RedisTierSettings(String keyPrefix, Duration leaseTimeout, Duration invalidationTimeout,
			Duration heartbeatInterval, boolean timeToIdle, int failureThreshold, Duration retryInterval) {
		this(keyPrefix, leaseTimeout, invalidationTimeout, heartbeatInterval, timeToIdle, failureThreshold,
				retryInterval, ClientTracking.OFF);
	}

	/**
	 * Return these settings with {@code clientTracking}.
	 * @param clientTracking whether Redis tells this node of every change of its keys
	 * @return the new settings
	 */
	public RedisTierSettings withClientTracking(ClientTracking clientTracking) {
		return new RedisTierSettings(this.keyPrefix, this.leaseTimeout, this.invalidationTimeout,
				this.heartbeatInterval, this.timeToIdle, this.failureThreshold, this.retryInterval, clientTracking,
				this.onOutage);
	}

	/**
	 * Return these settings with {@code onOutage}.
	 * @param onOutage whether hot copies are trusted while Redis is unreachable
	 * @return the new settings
	 */
	public RedisTierSettings withOnOutage(OnOutage onOutage) {
		return new RedisTierSettings(this.keyPrefix, this.leaseTimeout, this.invalidationTimeout,
				this.heartbeatInterval, this.timeToIdle, this.failureThreshold, this.retryInterval, this.clientTracking,
				onOutage);
	}

	private static boolean isPositive(Duration duration) {
		return duration != null && !duration.isNegative() && !duration.isZero();
	}

	/**
	 * Return the defaults: prefix {@code tiercache:}, leases of 10 seconds, invalidations
	 * confirmed within 250 milliseconds, a heartbeat every second, no sliding expiry, and
	 * a circuit that opens after 3 consecutive failures for 1 second, no client tracking,
	 * hot copies served during an outage.
	 * @return the default settings
	 */
	public static RedisTierSettings defaults() {
		return new RedisTierSettings("tiercache:", Duration.ofSeconds(10), Duration.ofMillis(250),
				Duration.ofSeconds(1), false, 3, Duration.ofSeconds(1), ClientTracking.OFF, OnOutage.SERVE_HOT);
	}

	/**
	 * Whether the tier asks Redis for server-assisted invalidation:
	 * {@code CLIENT TRACKING
	 * ON BCAST PREFIX <key-prefix>} on a connection of its own (RESP3), so that a hot
	 * copy is dropped when its entry changes in Redis for any reason: a write by another
	 * client, expiry, eviction under {@code maxmemory}, {@code FLUSHDB}/{@code FLUSHALL}.
	 */
	public enum ClientTracking {

		/** No tracking: hot copies hear only tiercache's own invalidations. */
		OFF,

		/**
		 * Track where the server and the topology allow it (standalone or Sentinel, Redis
		 * 6+, RESP3); otherwise log once and run without.
		 */
		AUTO,

		/**
		 * Track, and fail start-up if the topology, the protocol or the server refuses
		 * it.
		 */
		ON

	}

	/**
	 * What hot copies do while this node cannot hear the other nodes' invalidations: the
	 * circuit breaker is open (Redis does not answer), or the invalidation subscription
	 * is silent or not yet confirmed after an outage. A write on another node meanwhile
	 * (to the database, its eviction pending until Redis is back) reaches no hot copy
	 * here.
	 */
	public enum OnOutage {

		/**
		 * Keep serving hot copies, each at most {@code hot-ttl} old: no extra database
		 * reads, but a read may return a value that another node changed during the
		 * outage, until Redis is back and the hot tier is dropped.
		 */
		SERVE_HOT,

		/**
		 * Drop every hot copy when the outage is noticed and admit none until Redis and
		 * the subscription answer again: every read during the outage goes to the loader
		 * (single-flight on this node only), and nothing another node wrote meanwhile is
		 * masked by a hot copy.
		 */
		DROP_HOT

	}

}
