package dev.tiercache.stats;

/**
 * A {@link StatsCounter} that records nothing.
 *
 * @author tiercache
 */
enum DisabledStatsCounter implements StatsCounter {

	INSTANCE;

	private static final CacheStats EMPTY = new CacheStats(new long[Counter.values().length], 0);

	@Override
	public void record(Counter counter, long count) {
	}

	@Override
	public void recordLoadTime(long nanos) {
	}

	@Override
	public CacheStats snapshot() {
		return EMPTY;
	}

}
