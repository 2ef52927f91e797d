package dev.tiercache.remote.redis;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The leases this node holds, or may hold without knowing it, on a thread of their own
 * ({@code tiercache-redis-leases}), so that no caller waits for this bookkeeping.
 *
 * <p>
 * A lease lives {@code lease-timeout}, and its holder extends it every
 * {@code lease-timeout / 3} while the loader runs (a compare-and-{@code PEXPIRE} on its
 * token), so a loader of any duration keeps its lease and stores its value once, while
 * the lease of a dead holder expires. The other nodes wait as long as the lease lives.
 *
 * <p>
 * A lease must not outlive its holder's interest: every other node waits for it. So a
 * lease whose store failed is released, and so is a lease this node may have taken
 * without learning it: Redis runs a script whose reply the client stopped waiting for (a
 * pause, a slow server) when it gets to it, and that script may take the lease. Such
 * releases are retried every {@code heartbeat-interval} until Redis confirms one, or
 * until the lease would have expired anyway ({@code 2 x lease-timeout}, for a script that
 * Redis ran late).
 *
 * @author tiercache
 */
final class HeldLeases {

	private static final int LIMIT = 10_000;

	private final RedisCommands commands;

	private final RedisTierSettings settings;

	private final Map<String, Release> releases = new ConcurrentHashMap<>();

	private volatile @Nullable ScheduledExecutorService thread;

	HeldLeases(RedisCommands commands, RedisTierSettings settings) {
		this.commands = commands;
		this.settings = settings;
	}

	void start() {
		CustomizableThreadFactory threads = new CustomizableThreadFactory("tiercache-redis-leases-");
		threads.setDaemon(true);
		ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(threads);
		long interval = this.settings.heartbeatInterval().toNanos();
		thread.scheduleWithFixedDelay(this::retryReleases, interval, interval, TimeUnit.NANOSECONDS);
		this.thread = thread;
	}

	void stop() {
		ScheduledExecutorService thread = this.thread;
		if (thread != null) {
			thread.shutdownNow();
			this.thread = null;
		}
	}

	/**
	 * Extend a lease every {@code lease-timeout / 3} until the returned extension is
	 * closed, or until Redis says that the token no longer holds the lease (a write or an
	 * eviction deleted it).
	 */
	Extension keep(StatsCounter stats, byte[] lease, byte[] token) {
		Extension extension = new Extension(stats, lease, token);
		ScheduledExecutorService thread = this.thread;
		if (thread != null) {
			long period = Math.max(1, this.settings.leaseTimeout().toNanos() / 3);
			try {
				extension.future = thread.scheduleWithFixedDelay(extension::extend, period, period,
						TimeUnit.NANOSECONDS);
			}
			catch (RuntimeException ex) {
				// Stopped: the lease lives lease-timeout.
			}
		}
		return extension;
	}

	/**
	 * Release a lease now, on the caller's thread; if Redis does not answer, later.
	 */
	void release(StatsCounter stats, byte[] lease, byte[] token) {
		try {
			this.commands.release(stats, lease, token);
		}
		catch (RemoteTierException ex) {
			releaseLater(stats, lease, token);
		}
	}

	/**
	 * Release a lease that this node holds or may hold, on the lease thread, retrying
	 * until Redis confirms it or it would have expired.
	 */
	void releaseLater(StatsCounter stats, byte[] lease, byte[] token) {
		if (this.releases.size() >= LIMIT) {
			// It expires by itself after lease-timeout.
			return;
		}
		long deadline = System.nanoTime() + 2 * this.settings.leaseTimeout().toNanos();
		Release release = new Release(stats, lease, token, deadline);
		this.releases.put(RedisKeys.latin1(token), release);
		ScheduledExecutorService thread = this.thread;
		if (thread != null) {
			try {
				thread.execute(() -> attempt(release));
			}
			catch (RuntimeException ex) {
				// Stopped: the lease expires by itself.
			}
		}
	}

	/** Return how many releases are waiting for Redis. */
	int pendingReleases() {
		return this.releases.size();
	}

	private void retryReleases() {
		this.releases.values().forEach(this::attempt);
	}

	private void attempt(Release release) {
		String token = RedisKeys.latin1(release.token());
		if (this.releases.get(token) != release) {
			return;
		}
		if (System.nanoTime() - release.deadline() > 0) {
			this.releases.remove(token, release);
			return;
		}
		try {
			if (this.commands.release(release.stats(), release.lease(), release.token())) {
				this.releases.remove(token, release);
			}
		}
		catch (RemoteTierException ex) {
			// Counted; the next heartbeat-interval tries again.
		}
	}

	private record Release(StatsCounter stats, byte[] lease, byte[] token, long deadline) {
	}

	/**
	 * The extension of one lease while its loader runs; {@link #close()} stops it.
	 */
	final class Extension implements AutoCloseable {

		private final StatsCounter stats;

		private final byte[] lease;

		private final byte[] token;

		private final byte[] leaseMillis;

		private volatile @Nullable ScheduledFuture<?> future;

		private Extension(StatsCounter stats, byte[] lease, byte[] token) {
			this.stats = stats;
			this.lease = lease;
			this.token = token;
			this.leaseMillis = RedisKeys.ascii(Long.toString(HeldLeases.this.settings.leaseTimeout().toMillis()));
		}

		private void extend() {
			try {
				if (!HeldLeases.this.commands.extend(this.stats, this.lease, this.token, this.leaseMillis)) {
					// A write or an eviction took the lease away: the store will be
					// refused.
					close();
				}
			}
			catch (RemoteTierException ex) {
				// Counted; tried again in lease-timeout / 3, before the lease expires.
			}
		}

		@Override
		public void close() {
			ScheduledFuture<?> future = this.future;
			if (future != null) {
				future.cancel(false);
			}
		}

	}

}
