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
 * @author tiercache
 */
public record RedisTierSettings(String keyPrefix, Duration leaseTimeout, Duration invalidationTimeout,
		Duration heartbeatInterval, boolean timeToIdle, int failureThreshold, Duration retryInterval) {

	public RedisTierSettings {
		Assert.notNull(keyPrefix, "key-prefix must not be null");
		Assert.isTrue(isPositive(leaseTimeout), "lease-timeout must be positive, for example 10s");
		Assert.isTrue(!invalidationTimeout.isNegative(), "invalidation-timeout must not be negative; 0 does not wait");
		Assert.isTrue(isPositive(heartbeatInterval), "heartbeat-interval must be positive, for example 1s");
		Assert.isTrue(failureThreshold > 0, "failure-threshold must be at least 1");
		Assert.isTrue(isPositive(retryInterval), "retry-interval must be positive, for example 1s");
	}

	private static boolean isPositive(Duration duration) {
		return duration != null && !duration.isNegative() && !duration.isZero();
	}

	/**
	 * Return the defaults: prefix {@code tiercache:}, leases of 10 seconds, invalidations
	 * confirmed within 250 milliseconds, a heartbeat every second, no sliding expiry, and
	 * a circuit that opens after 3 consecutive failures for 1 second.
	 * @return the default settings
	 */
	public static RedisTierSettings defaults() {
		return new RedisTierSettings("tiercache:", Duration.ofSeconds(10), Duration.ofMillis(250),
				Duration.ofSeconds(1), false, 3, Duration.ofSeconds(1));
	}

}
