package dev.tiercache.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link StatsCounter} with one {@link LongAdder} per {@link Counter}: contended
 * increments on the hit path spread over cells instead of fighting over one word.
 *
 * @author tiercache
 */
final class ConcurrentStatsCounter implements StatsCounter {

	private static final Counter[] COUNTERS = Counter.values();

	private final LongAdder[] adders = new LongAdder[COUNTERS.length];

	private final LongAdder loadTime = new LongAdder();

	ConcurrentStatsCounter() {
		for (int i = 0; i < this.adders.length; i++) {
			this.adders[i] = new LongAdder();
		}
	}

	@Override
	public void record(Counter counter) {
		this.adders[counter.ordinal()].increment();
	}

	@Override
	public void record(Counter counter, long count) {
		this.adders[counter.ordinal()].add(count);
	}

	@Override
	public void recordLoadTime(long nanos) {
		this.loadTime.add(nanos);
	}

	@Override
	public CacheStats snapshot() {
		long[] counts = new long[COUNTERS.length];
		for (int i = 0; i < counts.length; i++) {
			counts[i] = this.adders[i].sum();
		}
		return new CacheStats(counts, this.loadTime.sum());
	}

}
