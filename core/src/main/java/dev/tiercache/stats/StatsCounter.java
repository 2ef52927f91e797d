package dev.tiercache.stats;

/**
 * Records what happens in one cache. Implementations must be thread-safe and must not
 * allocate or block: {@link #record(Counter)} is called on the hit path.
 *
 * @author tiercache
 * @see #concurrent()
 * @see #disabled()
 */
public interface StatsCounter {

	/**
	 * Record one occurrence of {@code counter}.
	 * @param counter the event
	 */
	default void record(Counter counter) {
		record(counter, 1);
	}

	/**
	 * Record {@code count} occurrences of {@code counter}.
	 * @param counter the event
	 * @param count how many times it happened
	 */
	void record(Counter counter, long count);

	/**
	 * Record the time a loader took, successful or not.
	 * @param nanos the load time in nanoseconds
	 */
	void recordLoadTime(long nanos);

	/**
	 * Return a snapshot of the counts so far.
	 * @return an immutable snapshot
	 */
	CacheStats snapshot();

	/**
	 * Return a counter backed by striped adders, the default.
	 * @return a new counter
	 */
	static StatsCounter concurrent() {
		return new ConcurrentStatsCounter();
	}

	/**
	 * Return a counter that records nothing, for callers that opt out of statistics.
	 * @return the shared disabled counter
	 */
	static StatsCounter disabled() {
		return DisabledStatsCounter.INSTANCE;
	}

}
