package dev.tiercache.remote.redis;

import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the Redis tier does around an outage, when this node cannot hear the others'
 * invalidations: the circuit breaker is open, or the subscription is silent or suspect
 * ({@link Subscription#trusted()}).
 *
 * <ul>
 * <li>While the circuit is open, Redis is probed four times per heartbeat (at most every
 * 100 ms) with a ping, which the breaker lets through as its one trial once
 * retry-interval has passed: a Redis that answers again is noticed within about
 * retry-interval, not a heartbeat later.</li>
 * <li>When the circuit closes, the subscription is checked: a ping now, and a new
 * subscription {@code min(heartbeat, 200 ms)} later if the ping has not arrived (the
 * client's reconnect back-off may keep a dropped subscription down for seconds). The new
 * subscription reports a gap, which drops every hot copy; a subscription that lived hears
 * the ping and keeps them.</li>
 * <li>With {@link RedisTierSettings.OnOutage#DROP_HOT}, every hot copy is dropped when
 * the circuit opens or the subscription goes silent, and {@link #trustsHot()} refuses
 * admissions until both are back.</li>
 * </ul>
 *
 * @author tiercache
 */
final class Outages {

	private static final Log logger = LogFactory.getLog(Outages.class);

	/** The shortest time between two probes of Redis while the circuit is open. */
	private static final long MIN_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** The most a ping gets to prove the subscription alive after an outage. */
	private static final long MAX_VERIFY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	private final RedisTierSettings settings;

	private final Supplier<Collection<Registration>> caches;

	private final boolean dropHot;

	private RedisCommands commands;

	private Subscription subscription;

	Outages(RedisTierSettings settings, Supplier<Collection<Registration>> caches) {
		this.settings = settings;
		this.caches = caches;
		this.dropHot = settings.onOutage() == RedisTierSettings.OnOutage.DROP_HOT;
	}

	/**
	 * Give the commands and the subscription, which are made with callbacks to this.
	 */
	void watch(RedisCommands commands, Subscription subscription) {
		this.commands = commands;
		this.subscription = subscription;
	}

	/** Schedule the probe on the heartbeat thread. */
	void start(ScheduledExecutorService heartbeat) {
		long probe = Math.max(MIN_PROBE_NANOS, this.settings.heartbeatInterval().toNanos() / 4);
		heartbeat.scheduleWithFixedDelay(this::probe, probe, probe, TimeUnit.NANOSECONDS);
	}

	/**
	 * The circuit opened, on the thread whose command failed: invalidations may be lost
	 * from now on.
	 */
	void began() {
		this.subscription.suspect();
		dropHotIfStrict("Redis is unreachable");
	}

	/** The heartbeat found the subscription silent. */
	void silent() {
		dropHotIfStrict("the Redis invalidation subscription is silent");
	}

	/**
	 * The circuit closed: check the subscription. Runs on the heartbeat thread.
	 */
	void ended(ScheduledExecutorService heartbeat) {
		this.subscription.verify();
		long verify = Math.min(MAX_VERIFY_NANOS, this.settings.heartbeatInterval().toNanos());
		heartbeat.schedule(this.subscription::restartIfSuspect, verify, TimeUnit.NANOSECONDS);
	}

	/**
	 * Return whether hot copies may be admitted: always with
	 * {@link RedisTierSettings.OnOutage#SERVE_HOT}; with
	 * {@link RedisTierSettings.OnOutage#DROP_HOT}, only while the circuit is closed and
	 * the subscription is trusted. Called at admission, never on a hit: the hot copies
	 * were dropped when the outage began.
	 */
	boolean trustsHot() {
		return !this.dropHot || (!this.commands.unreachable() && this.subscription.trusted());
	}

	private void probe() {
		if (this.commands.unreachable()) {
			this.subscription.verify();
		}
	}

	private void dropHotIfStrict(String why) {
		if (this.dropHot) {
			this.caches.get().forEach((registration) -> registration.invalidations().invalidateAll());
			logger.info("tiercache: " + why + "; dropped every hot copy and admits none until Redis and the "
					+ "invalidation subscription answer again (tiercache.redis.on-outage=drop-hot)");
		}
	}

}
