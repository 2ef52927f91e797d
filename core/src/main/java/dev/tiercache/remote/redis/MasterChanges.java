package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Notices that the data this node writes to has changed hands, and writes this node's
 * recent writes again.
 *
 * <p>
 * Redis replicates asynchronously. A write that a master acknowledged may not reach the
 * replica that replaces it, and during a Sentinel failover the old master goes on
 * acknowledging writes until the sentinels demote it, seconds later; the new history
 * drops all of them. An eviction lost that way leaves an older value in Redis that every
 * node reads again for the entry's whole time to live. So this node remembers what it
 * wrote in the last {@link #WINDOW} (keys evicted or overwritten, caches cleared), and at
 * every heartbeat reads who holds the data ({@link RedisCommands#masters()}: the
 * replication id of a standalone or Sentinel master, which a promotion or an empty
 * restart changes, or the ids of a Cluster's masters). When that changes, the recent
 * writes become {@link PendingEvictions}, replayed as evictions (each removed in Redis
 * and invalidated on the other nodes), and this node drops its hot copies.
 *
 * @author tiercache
 */
final class MasterChanges {

	private static final Log logger = LogFactory.getLog(MasterChanges.class);

	/**
	 * Longer than a Sentinel failover takes from the promotion to the old master's
	 * demotion, and than a client takes to follow it.
	 */
	static final Duration WINDOW = Duration.ofSeconds(60);

	/** Beyond this many writes in the window, a change replays a clear of every cache. */
	static final int LIMIT = 10_000;

	private final RedisCommands commands;

	private final PendingEvictions pending;

	private final long windowNanos;

	private final Deque<Write> recent = new ArrayDeque<>();

	private boolean overflow;

	private long overflowAt;

	private volatile @Nullable String masters;

	private final AtomicInteger changes = new AtomicInteger();

	MasterChanges(RedisCommands commands, PendingEvictions pending, Duration window) {
		this.commands = commands;
		this.pending = pending;
		this.windowNanos = window.toNanos();
	}

	/**
	 * Remember a write that Redis acknowledged: of {@code key}, or a clear of
	 * {@code cache} when {@code key} is {@code null}.
	 */
	synchronized void wrote(String cache, @Nullable Object key) {
		long now = System.nanoTime();
		prune(now);
		if (this.recent.size() >= LIMIT) {
			this.recent.clear();
			this.overflow = true;
			this.overflowAt = now;
			return;
		}
		this.recent.addLast(new Write(cache, key, now));
	}

	/**
	 * Read who holds the data now; if that changed since the last heartbeat, make the
	 * recent writes pending.
	 * @param caches every registered cache, all cleared again if the writes overflowed
	 * @return whether the data changed hands
	 */
	boolean check(Iterable<String> caches) {
		String now = this.commands.masters();
		if (now == null) {
			return false;
		}
		String before = this.masters;
		this.masters = now;
		if (before == null || before.equals(now)) {
			return false;
		}
		this.changes.incrementAndGet();
		int replayed = replay(caches);
		logger.warn("tiercache: the Redis data changed hands (a failover or a restart); writing again the " + replayed
				+ " writes of the last " + WINDOW.toSeconds() + " s, which it may have lost, and dropping "
				+ "every hot copy");
		return true;
	}

	/**
	 * Return how many times the data changed hands while this node ran.
	 */
	int changes() {
		return this.changes.get();
	}

	private synchronized int replay(Iterable<String> caches) {
		prune(System.nanoTime());
		int count = this.recent.size();
		if (this.overflow) {
			caches.forEach((cache) -> this.pending.add(cache, null));
		}
		this.recent.forEach((write) -> this.pending.add(write.cache(), write.key()));
		return count;
	}

	private void prune(long now) {
		while (!this.recent.isEmpty() && now - this.recent.peekFirst().at() > this.windowNanos) {
			this.recent.removeFirst();
		}
		if (this.overflow && now - this.overflowAt > this.windowNanos) {
			this.overflow = false;
		}
	}

	private record Write(String cache, @Nullable Object key, long at) {
	}

}
