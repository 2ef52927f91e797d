package dev.tiercache.remote.redis;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The Redis tier's heartbeat thread and the work it does: the heartbeat itself, and
 * recovery, which sends again what could not be sent.
 *
 * <p>
 * Every {@code heartbeat-interval} it runs the {@link Subscription}'s heartbeat and
 * {@link ServerTracking}'s, asks {@link MasterChanges} whether the data changed hands
 * (then every hot copy goes), and replays {@link PendingEvictions} while Redis answers,
 * so that an invalidation whose {@code PUBLISH} failed once is sent again within a
 * heartbeat, not only after an outage. When the circuit closes
 * ({@link #redisAnswersAgain}) it checks the subscription ({@link Outages#ended}) and
 * replays; when the subscription reports a gap ({@link #subscriptionGap}) every hot copy
 * goes at once and the replay follows. The probes of {@link Outages} run on this thread
 * too.
 *
 * <p>
 * Recovery runs here, never on a caller's thread: the command whose success closed the
 * circuit, or the thread that delivers messages, only hands the work over. One thread
 * also means that replays never overlap.
 *
 * @author tiercache
 */
final class Heartbeat {

	// Logged under the tier's name, as these messages always were.
	private static final Log logger = LogFactory.getLog(RedisRemoteTier.class);

	private final RedisTierSettings settings;

	private final Map<String, Registration> caches;

	private final RedisCommands commands;

	private final Subscription subscription;

	private final ServerTracking tracking;

	private final MasterChanges masterChanges;

	private final PendingEvictions pending;

	private final Outages outages;

	private final PendingEvictions.Replay replay;

	/** The heartbeat thread, while the tier runs. */
	private volatile @Nullable ScheduledExecutorService thread;

	/**
	 * @param caches the registered caches, by name
	 * @param replay how pending work is sent again
	 */
	Heartbeat(RedisTierSettings settings, Map<String, Registration> caches, RedisCommands commands,
			Subscription subscription, ServerTracking tracking, MasterChanges masterChanges, PendingEvictions pending,
			Outages outages, PendingEvictions.Replay replay) {
		this.settings = settings;
		this.caches = caches;
		this.commands = commands;
		this.subscription = subscription;
		this.tracking = tracking;
		this.masterChanges = masterChanges;
		this.pending = pending;
		this.outages = outages;
		this.replay = replay;
	}

	/**
	 * Start the thread, before the subscription starts: a gap that it reports at once
	 * replays on this thread.
	 */
	void open() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("tiercache-redis-");
		threads.setDaemon(true);
		this.thread = Executors.newSingleThreadScheduledExecutor(threads);
	}

	/**
	 * Beat every {@code heartbeat-interval} from now on, and start the probes of
	 * {@link Outages}.
	 */
	void start() {
		ScheduledExecutorService thread = this.thread;
		if (thread == null) {
			return;
		}
		long interval = this.settings.heartbeatInterval().toNanos();
		// The first heartbeat at once: the other nodes wait for this node's
		// acknowledgements from when they hear it.
		thread.scheduleWithFixedDelay(this::beat, 0, interval, TimeUnit.NANOSECONDS);
		this.outages.start(thread);
	}

	/** Stop the thread; {@link #open()} starts a new one. */
	void stop() {
		ScheduledExecutorService thread = this.thread;
		if (thread != null) {
			thread.shutdownNow();
			this.thread = null;
		}
	}

	/**
	 * The circuit closed: replay what could not be sent, and check the subscription
	 * ({@link Outages#ended}). The hot tiers stay if the subscription lived; otherwise
	 * its restart reports a gap ({@link #subscriptionGap}), which drops them. Runs on the
	 * heartbeat thread, never on a caller's.
	 */
	void redisAnswersAgain() {
		logger.info("tiercache: Redis answers again; replaying " + this.pending.size() + " pending evictions");
		onHeartbeatThread(() -> {
			ScheduledExecutorService thread = this.thread;
			if (thread != null) {
				this.outages.ended(thread);
			}
			// Before the replay: a server that restarted empty is noticed before the
			// writes made since it answers are taken for ones it lost.
			followMastersAndReplay();
		});
	}

	/**
	 * The subscription is in place again after a time in which invalidations may have
	 * been missed: drop every hot copy now, on the thread that delivers messages, before
	 * the next message is applied; replay what could not be sent on the heartbeat thread.
	 */
	void subscriptionGap(Subscription.Gap gap) {
		this.caches.values().forEach((registration) -> registration.invalidations().invalidateAll());
		logger.info("tiercache: "
				+ ((gap == Subscription.Gap.RESUBSCRIBED) ? "subscribed to Redis invalidations again"
						: "the Redis invalidation subscription is back")
				+ "; cleared every hot tier, since invalidations may have been missed");
		onHeartbeatThread(this::replayPending);
	}

	/**
	 * Every heartbeat-interval: the heartbeat, a look at who holds the data
	 * ({@link MasterChanges}), and what is pending while Redis answers, so that an
	 * invalidation whose PUBLISH failed once is sent again within a heartbeat, not only
	 * after an outage.
	 */
	private void beat() {
		this.subscription.beat();
		this.tracking.beat();
		followMasters();
		if (!this.pending.isEmpty() && !this.commands.unreachable()) {
			replayPending();
		}
		if (!this.pending.isEmpty() || this.commands.unreachable()) {
			// On a Cluster, a shard may have failed over: follow it now, not at Lettuce's
			// next periodic refresh, and replay as soon as the new view is in.
			this.commands.refreshTopology(() -> onHeartbeatThread(this::followMastersAndReplay));
		}
	}

	private void followMastersAndReplay() {
		followMasters();
		if (!this.pending.isEmpty()) {
			replayPending();
		}
	}

	/**
	 * If the data changed hands since the last look, drop every hot copy; the recent
	 * writes are pending then ({@link MasterChanges}).
	 */
	private void followMasters() {
		if (this.masterChanges.check(List.copyOf(this.caches.keySet()))) {
			this.caches.values().forEach((registration) -> registration.invalidations().invalidateAll());
		}
	}

	private void replayPending() {
		this.pending.replay(this.replay, List.copyOf(this.caches.keySet()));
	}

	private void onHeartbeatThread(Runnable work) {
		ScheduledExecutorService thread = this.thread;
		if (thread != null) {
			try {
				thread.execute(work);
			}
			catch (RejectedExecutionException ex) {
				// Stopped meanwhile: the next start clears the hot tiers.
			}
		}
	}

}
