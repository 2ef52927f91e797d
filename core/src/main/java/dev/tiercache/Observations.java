package dev.tiercache;

import java.util.function.Supplier;

import dev.tiercache.observation.TierCacheObserver;
import dev.tiercache.observation.TierCacheObserver.Observed;
import dev.tiercache.observation.TierCacheObserver.Operation;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

/**
 * The observations and remote timings of one cache: loads, remote fetches and lease waits
 * for its {@link TierCacheObserver}, and the time of remote fetches and writes in its
 * statistics.
 *
 * <p>
 * A lease wait happens inside the remote tier, which counts it on the waiting thread
 * ({@link Counter#LEASE_WAITS}) through the statistics it was registered with:
 * {@link #remoteStats(StatsCounter)} wraps them so that, on a thread inside a
 * synchronized fetch ({@link #fetchSync()}), the count also starts a lease-wait
 * observation, which ends when the fetch returns or this thread starts loading.
 *
 * @author tiercache
 */
final class Observations {

	private final TierCacheObserver observer;

	private final String cache;

	/** Where loads store their values and fetches go: local, peers or redis. */
	private final String tier;

	private final StatsCounter stats;

	/** The synchronized fetch under way on this thread, if any. */
	private final ThreadLocal<@Nullable SyncFetch> current = new ThreadLocal<>();

	Observations(TierCacheObserver observer, String cache, String tier, StatsCounter stats) {
		this.observer = observer;
		this.cache = cache;
		this.tier = tier;
		this.stats = stats;
	}

	/**
	 * Start observing a load on this thread; a lease wait of this thread ends here.
	 */
	Observed load() {
		SyncFetch fetch = this.current.get();
		if (fetch != null) {
			fetch.endLeaseWait("leased");
		}
		return this.observer.start(Operation.LOAD, this.cache, this.tier, true);
	}

	/**
	 * Start observing a load that continues on other threads.
	 */
	Observed loadAsync() {
		return this.observer.start(Operation.LOAD, this.cache, this.tier, false);
	}

	/**
	 * Start a fetch that continues on other threads.
	 */
	AsyncFetch fetchAsync() {
		return new AsyncFetch(this.observer.start(Operation.FETCH, this.cache, this.tier, false), System.nanoTime());
	}

	/**
	 * Start a fetch on this thread, which may lead to a lease wait and a load; close it
	 * with {@link SyncFetch#stop(String, boolean)} on this thread.
	 */
	SyncFetch fetchSync() {
		SyncFetch fetch = new SyncFetch(this.observer.start(Operation.FETCH, this.cache, this.tier, true),
				this.current.get());
		this.current.set(fetch);
		return fetch;
	}

	/**
	 * Run a remote write (put, evict, clear), timing it with the invalidation it waits
	 * for.
	 */
	<T> T write(Supplier<T> write) {
		long start = System.nanoTime();
		try {
			return write.get();
		}
		finally {
			this.stats.record(Counter.REMOTE_WRITES);
			this.stats.record(Counter.REMOTE_WRITE_NANOS, System.nanoTime() - start);
		}
	}

	/**
	 * Return the statistics to register with the remote tier: these, and the start of a
	 * lease-wait observation when it counts a lease wait on a thread inside a
	 * synchronized fetch.
	 */
	StatsCounter remoteStats(StatsCounter stats) {
		return new StatsCounter() {

			@Override
			public void record(Counter counter, long count) {
				stats.record(counter, count);
				if (counter == Counter.LEASE_WAITS) {
					SyncFetch fetch = Observations.this.current.get();
					if (fetch != null) {
						fetch.startLeaseWait();
					}
				}
			}

			@Override
			public void recordLoadTime(long nanos) {
				stats.recordLoadTime(nanos);
			}

			@Override
			public CacheStats snapshot() {
				return stats.snapshot();
			}

		};
	}

	private void recordFetch(long nanos) {
		this.stats.record(Counter.REMOTE_FETCHES);
		this.stats.record(Counter.REMOTE_FETCH_NANOS, nanos);
	}

	/**
	 * A fetch running on one thread.
	 */
	final class SyncFetch {

		private final Observed fetch;

		private final @Nullable SyncFetch outer;

		private final long start = System.nanoTime();

		private @Nullable Observed leaseWait;

		private boolean waited;

		private SyncFetch(Observed fetch, @Nullable SyncFetch outer) {
			this.fetch = fetch;
			this.outer = outer;
		}

		private void startLeaseWait() {
			if (this.leaseWait == null && !this.waited) {
				this.waited = true;
				this.leaseWait = Observations.this.observer.start(Operation.LEASE_WAIT, Observations.this.cache,
						Observations.this.tier, true);
			}
		}

		private void endLeaseWait(String outcome) {
			if (this.leaseWait != null) {
				this.leaseWait.stop(outcome);
				this.leaseWait = null;
			}
		}

		/**
		 * Stop the fetch (and a lease wait still open); a fetch that neither waited nor
		 * loaded here is timed as a remote fetch.
		 * @param outcome how it ended
		 * @param loadedHere whether this thread ran the loader
		 */
		void stop(String outcome, boolean loadedHere) {
			endLeaseWait(outcome.equals("hit") ? "value" : outcome);
			Observations.this.current.set(this.outer);
			if (!this.waited && !loadedHere) {
				recordFetch(System.nanoTime() - this.start);
			}
			this.fetch.stop(this.waited ? (outcome.equals("hit") ? "waited" : outcome) : outcome);
		}

	}

	/**
	 * A fetch that continues on other threads.
	 */
	final class AsyncFetch {

		private final Observed fetch;

		private final long start;

		private AsyncFetch(Observed fetch, long start) {
			this.fetch = fetch;
			this.start = start;
		}

		/**
		 * Stop the fetch, timing it unless it led to a load.
		 * @param outcome how it ended
		 * @param timed whether to time it as a remote fetch
		 */
		void stop(String outcome, boolean timed) {
			if (timed) {
				recordFetch(System.nanoTime() - this.start);
			}
			this.fetch.stop(outcome);
		}

	}

}
