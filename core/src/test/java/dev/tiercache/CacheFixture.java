package dev.tiercache;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import dev.tiercache.stats.CacheStats;

/**
 * One way of running tiercache (a mode) for the {@link CacheContractTests}: it creates
 * caches in that mode with a fake clock and a seeded random source, and tears down what
 * the mode needs (channels, servers) afterwards.
 */
public interface CacheFixture extends AutoCloseable {

	/**
	 * Create (or return) the cache {@code name} with {@code configuration}.
	 */
	TierCache cache(String name, TierCacheConfiguration configuration);

	/**
	 * Move the clock every cache of this fixture expires by.
	 */
	void advance(Duration duration);

	/**
	 * Return how many callers of {@code cache} are waiting for a load that another caller
	 * runs, wherever that caller is.
	 */
	default long waiters(TierCache cache) {
		CacheStats stats = cache.getStats();
		return stats.count(dev.tiercache.stats.Counter.LOADS_DEDUPLICATED)
				+ stats.count(dev.tiercache.stats.Counter.LEASE_WAITS);
	}

	@Override
	void close();

	/**
	 * Local mode: one {@link TierCacheManager} with no remote tier.
	 */
	final class Local implements CacheFixture {

		private final FakeTicker ticker = new FakeTicker();

		private final RandomGenerator random = new SplittableRandom(42);

		@Override
		public TierCache cache(String name, TierCacheConfiguration configuration) {
			TierCacheManager manager = TierCacheManager.builder()
				.withCacheConfiguration(name, configuration)
				.ticker(this.ticker)
				.random(this.random)
				.executor(Runnable::run)
				.build();
			return manager.getCache(name);
		}

		@Override
		public void advance(Duration duration) {
			this.ticker.advance(duration);
		}

		@Override
		public void close() {
		}

		@Override
		public String toString() {
			return "local";
		}

	}

}
