package dev.tiercache.autoconfigure;

import java.time.Duration;

import dev.tiercache.remote.redis.RedisTierSettings.ClientTracking;
import dev.tiercache.remote.redis.RedisTierSettings.OnOutage;

/**
 * Redis mode settings, under {@code tiercache.redis}. The connection itself is Spring
 * Boot's, from 'spring.data.redis.*'.
 *
 * @author tiercache
 */
public class TierCacheRedisProperties {

	/**
	 * Prefix of every key and channel tiercache uses in Redis.
	 */
	private String keyPrefix = "tiercache:";

	/**
	 * How long a node may hold the lease to load a key; waiters on other nodes take over
	 * after it, so a dead loader blocks no one longer.
	 */
	private Duration leaseTimeout = Duration.ofSeconds(10);

	/**
	 * How long a write waits for the other nodes to confirm that they dropped their hot
	 * copies; 0 does not wait.
	 */
	private Duration invalidationTimeout = Duration.ofMillis(250);

	/**
	 * How often each node checks its invalidation subscription with a heartbeat.
	 */
	private Duration heartbeatInterval = Duration.ofSeconds(1);

	/**
	 * Whether a read restarts an entry's time to live in Redis (sliding expiry).
	 */
	private boolean timeToIdle = false;

	/**
	 * Consecutive Redis failures after which tiercache stops sending commands for
	 * 'retry-interval' and runs on the local tier.
	 */
	private int failureThreshold = 3;

	/**
	 * How long tiercache waits before trying a failing Redis again.
	 */
	private Duration retryInterval = Duration.ofSeconds(1);

	/**
	 * Whether Redis tells each node of every change of its keys (server-assisted
	 * client-side caching, 'CLIENT TRACKING ... BCAST PREFIX key-prefix' over RESP3), so
	 * that hot copies also drop on writes by other clients, expiry, eviction and
	 * FLUSHALL: 'off', 'auto' (where the server allows it, else log once and run without)
	 * or 'on' (fail start-up where it is not available). On a Redis Cluster, every master
	 * that serves slots is tracked. Not with time-to-idle.
	 */
	private ClientTracking clientTracking = ClientTracking.OFF;

	/**
	 * What hot copies do while this node cannot hear invalidations (Redis does not
	 * answer, or the invalidation subscription is silent or not yet confirmed after an
	 * outage): 'serve-hot' keeps serving them (each at most hot-ttl old; a write on
	 * another node meanwhile may be masked until Redis is back), 'drop-hot' drops them
	 * when the outage is noticed and admits none until Redis answers again, so every read
	 * goes to the loader meanwhile.
	 */
	private OnOutage onOutage = OnOutage.SERVE_HOT;

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public Duration getLeaseTimeout() {
		return this.leaseTimeout;
	}

	public void setLeaseTimeout(Duration leaseTimeout) {
		this.leaseTimeout = leaseTimeout;
	}

	public Duration getInvalidationTimeout() {
		return this.invalidationTimeout;
	}

	public void setInvalidationTimeout(Duration invalidationTimeout) {
		this.invalidationTimeout = invalidationTimeout;
	}

	public Duration getHeartbeatInterval() {
		return this.heartbeatInterval;
	}

	public void setHeartbeatInterval(Duration heartbeatInterval) {
		this.heartbeatInterval = heartbeatInterval;
	}

	public boolean isTimeToIdle() {
		return this.timeToIdle;
	}

	public void setTimeToIdle(boolean timeToIdle) {
		this.timeToIdle = timeToIdle;
	}

	public int getFailureThreshold() {
		return this.failureThreshold;
	}

	public void setFailureThreshold(int failureThreshold) {
		this.failureThreshold = failureThreshold;
	}

	public Duration getRetryInterval() {
		return this.retryInterval;
	}

	public void setRetryInterval(Duration retryInterval) {
		this.retryInterval = retryInterval;
	}

	public ClientTracking getClientTracking() {
		return this.clientTracking;
	}

	public void setClientTracking(ClientTracking clientTracking) {
		this.clientTracking = clientTracking;
	}

	public OnOutage getOnOutage() {
		return this.onOutage;
	}

	public void setOnOutage(OnOutage onOutage) {
		this.onOutage = onOutage;
	}

}
