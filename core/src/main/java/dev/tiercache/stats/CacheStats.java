package dev.tiercache.stats;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable snapshot of a cache's {@link Counter counters}.
 *
 * @author tiercache
 */
public final class CacheStats {

	private final long[] counts;

	private final long totalLoadTimeNanos;

	CacheStats(long[] counts, long totalLoadTimeNanos) {
		this.counts = counts;
		this.totalLoadTimeNanos = totalLoadTimeNanos;
	}

	/**
	 * Return how many times {@code counter} was recorded.
	 * @param counter the event
	 * @return its count
	 */
	public long count(Counter counter) {
		return this.counts[counter.ordinal()];
	}

	/**
	 * Return the reads answered without running a loader: main, hot and remote hits.
	 * @return the hit count
	 */
	public long hitCount() {
		return count(Counter.MAIN_HITS) + count(Counter.HOT_HITS) + count(Counter.REMOTE_HITS);
	}

	/**
	 * Return the reads that found nothing.
	 * @return the miss count
	 */
	public long missCount() {
		return count(Counter.MISSES);
	}

	/**
	 * Return every read: hits and misses.
	 * @return the request count
	 */
	public long requestCount() {
		return hitCount() + missCount();
	}

	/**
	 * Return the fraction of reads that hit, {@code 1.0} when there were none.
	 * @return the hit ratio between 0 and 1
	 */
	public double hitRatio() {
		long requests = requestCount();
		return (requests != 0) ? (double) hitCount() / requests : 1.0;
	}

	/**
	 * Return the total time spent in loaders run by this node.
	 * @return nanoseconds
	 */
	public long totalLoadTimeNanos() {
		return this.totalLoadTimeNanos;
	}

	/**
	 * Return every counter by name, for reports.
	 * @return the counts in {@link Counter} order
	 */
	public Map<Counter, Long> asMap() {
		Map<Counter, Long> map = new EnumMap<>(Counter.class);
		for (Counter counter : Counter.values()) {
			map.put(counter, count(counter));
		}
		return map;
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof CacheStats that) && Arrays.equals(this.counts, that.counts)
				&& this.totalLoadTimeNanos == that.totalLoadTimeNanos;
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.counts) * 31 + Long.hashCode(this.totalLoadTimeNanos);
	}

	@Override
	public String toString() {
		return "CacheStats" + asMap();
	}

}
