package dev.tiercache.remote.peers;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys of one cache whose last write their owner has not confirmed: no member reads
 * them from another member until it has.
 *
 * <p>
 * An owner that does not answer a write within {@code rpc-timeout} may only be slow
 * (starved of CPU, its JGroups threads behind): it applies the write late, and until then
 * it still serves the old value to every member that asks, although the write has
 * returned. So the writer marks the key here, and its invalidation tells every other
 * member to mark it too; a member then loads a marked key itself (a peer error, the value
 * kept in hot) instead of fetching it. Once the owner answers the writer's follow-up
 * eviction, or leaves the view, the writer lifts the mark everywhere and tells every
 * member to drop the key once more.
 *
 * <p>
 * A mark lapses on its own after {@code window}, when the writer has stopped following
 * up. Memory is bounded: past {@code capacity} keys the table forgets them all and marks
 * the whole cache for one window instead (every read of it then loads locally).
 *
 * @author tiercache
 */
final class UnconfirmedWrites {

	private final Map<Object, Long> marks = new ConcurrentHashMap<>();

	private final long windowNanos;

	private final int capacity;

	/** Until when every key is marked, after an overflow; 0 if never. */
	private volatile long everyKeyUntil;

	UnconfirmedWrites(long windowNanos, int capacity) {
		this.windowNanos = windowNanos;
		this.capacity = capacity;
	}

	/**
	 * The owner of {@code key} has not confirmed a write of it.
	 */
	void unconfirmed(Object key, long now) {
		this.marks.put(key, now + this.windowNanos);
		if (this.marks.size() > this.capacity) {
			this.marks.values().removeIf((until) -> until - now <= 0);
			if (this.marks.size() > this.capacity) {
				this.everyKeyUntil = now + this.windowNanos;
				this.marks.clear();
			}
		}
	}

	/**
	 * The owner of {@code key} has confirmed the writes of it (or left).
	 */
	void confirmed(Object key) {
		this.marks.remove(key);
	}

	/**
	 * Return whether {@code key} must not be read from another member now.
	 */
	boolean isUnconfirmed(Object key) {
		return (!this.marks.isEmpty() || this.everyKeyUntil != 0) && isUnconfirmed(key, System.nanoTime());
	}

	boolean isUnconfirmed(Object key, long now) {
		long everyKeyUntil = this.everyKeyUntil;
		if (everyKeyUntil != 0) {
			if (everyKeyUntil - now > 0) {
				return true;
			}
			this.everyKeyUntil = 0;
		}
		Long until = this.marks.get(key);
		if (until == null) {
			return false;
		}
		if (until - now > 0) {
			return true;
		}
		this.marks.remove(key, until);
		return false;
	}

}
