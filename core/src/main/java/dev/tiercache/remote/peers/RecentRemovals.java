package dev.tiercache.remote.peers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of one cache that this member removed or overwrote recently, and when it last
 * cleared the cache: what a late hand-off must not bring back. A member hands off the
 * entries it read from its main tier a moment earlier; if the cluster evicted, wrote or
 * cleared a key meanwhile, the receiver has seen that (as the owner, the writer or a
 * member told to drop its copy), so it refuses the entry instead of storing a value older
 * than the write for its whole time to live.
 *
 * <p>
 * A removal is remembered for {@code window}, longer than a hand-off batch can take from
 * the sender's read to the receiver's store. Memory is bounded: past {@code capacity}
 * keys the table forgets them all and remembers a clear instead, which refuses every
 * hand-off of the cache for one window (entries are then loaded again on demand).
 *
 * @author tiercache
 */
final class RecentRemovals {

	private final Map<Object, Long> removals = new ConcurrentHashMap<>();

	private final long windowNanos;

	private final int capacity;

	private volatile long clearedAt;

	private volatile boolean cleared;

	RecentRemovals(long windowNanos, int capacity) {
		this.windowNanos = windowNanos;
		this.capacity = capacity;
	}

	/**
	 * Remember that {@code key} was removed or overwritten now.
	 */
	void removed(Object key, long now) {
		this.removals.put(key, now);
		if (this.removals.size() > this.capacity) {
			prune(now);
		}
	}

	/**
	 * Remember that the whole cache was cleared now.
	 */
	void cleared(long now) {
		this.clearedAt = now;
		this.cleared = true;
		this.removals.clear();
	}

	/**
	 * Return whether {@code key} was removed, overwritten or cleared within the window
	 * before {@code now}, so that an entry read before that must not be stored.
	 */
	boolean recentlyRemoved(Object key, long now) {
		if (this.cleared && now - this.clearedAt < this.windowNanos) {
			return true;
		}
		Long at = this.removals.get(key);
		return at != null && now - at < this.windowNanos;
	}

	private void prune(long now) {
		this.removals.values().removeIf((at) -> now - at >= this.windowNanos);
		if (this.removals.size() > this.capacity) {
			cleared(now);
		}
	}

}
