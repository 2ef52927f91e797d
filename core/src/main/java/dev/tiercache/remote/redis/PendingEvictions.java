package dev.tiercache.remote.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tiercache.remote.RemoteTierException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Writes that reached Redis or the other nodes only in part, replayed as soon as Redis
 * answers: evictions and clears that did not reach Redis (replayed as an eviction or a
 * clear), and invalidations that reached Redis but whose {@code PUBLISH} failed
 * (published again). At most {@value #LIMIT} are remembered; beyond that, every cache is
 * cleared on replay.
 *
 * @author tiercache
 */
final class PendingEvictions {

	private static final Log logger = LogFactory.getLog(PendingEvictions.class);

	static final int LIMIT = 10_000;

	/** From this many evictions pending in one cache, they are replayed together. */
	static final int BATCH = 16;

	/** How many pieces of work may fail in one replay before the rest waits. */
	static final int FAILURES_PER_REPLAY = 8;

	private final Set<Eviction> evictions = ConcurrentHashMap.newKeySet();

	private final Set<Notice> notices = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean overflow = new AtomicBoolean();

	/**
	 * Remember an eviction of {@code key}, or a clear of {@code cache} when {@code key}
	 * is {@code null}, that did not reach Redis.
	 */
	void add(String cache, @Nullable Object key) {
		if (size() >= LIMIT) {
			this.overflow.set(true);
		}
		else {
			this.evictions.add(new Eviction(cache, key));
		}
	}

	/**
	 * Remember an invalidation of the key named {@code name}, or a clear of {@code cache}
	 * when {@code name} is {@code null}, that Redis applied but the other nodes were not
	 * told of.
	 */
	void addNotice(String cache, @Nullable String name) {
		if (size() >= LIMIT) {
			this.overflow.set(true);
		}
		else {
			this.notices.add(new Notice(cache, name));
		}
	}

	int size() {
		return this.evictions.size() + this.notices.size();
	}

	boolean isEmpty() {
		return this.evictions.isEmpty() && this.notices.isEmpty() && !this.overflow.get();
	}

	/**
	 * Send the remembered work again; one that Redis refuses with an error is dropped,
	 * one that it does not answer is kept. A failure does not hold up the rest (on a
	 * Cluster, one shard may be failing over while the others answer), but after
	 * {@value #FAILURES_PER_REPLAY} of them the rest waits for the next replay.
	 * @param target what replays each kind of work
	 * @param caches the registered caches, all cleared after an overflow
	 */
	void replay(Replay target, Collection<String> caches) {
		if (this.overflow.getAndSet(false)) {
			this.evictions.clear();
			this.notices.clear();
			caches.forEach((cache) -> this.evictions.add(new Eviction(cache, null)));
		}
		int failures = replayBatches(target);
		if (failures >= FAILURES_PER_REPLAY) {
			return;
		}
		for (Eviction work : List.copyOf(this.evictions)) {
			if (!replayed(work.cache(), () -> {
				if (work.key() == null) {
					target.clear(work.cache());
				}
				else {
					target.evict(work.cache(), work.key());
				}
			})) {
				if (++failures == FAILURES_PER_REPLAY) {
					return;
				}
				continue;
			}
			this.evictions.remove(work);
		}
		for (Notice work : List.copyOf(this.notices)) {
			try {
				target.notifyOthers(work.cache(), work.name());
			}
			catch (RemoteTierException ex) {
				// Kept, whatever the error (a PUBLISH is refused only by an ACL, which an
				// operator may fix): the others keep stale copies until it is sent.
				return;
			}
			this.notices.remove(work);
		}
	}

	/**
	 * Replay the evictions of each cache that has at least {@value #BATCH} of them
	 * pending in one go ({@link Replay#evictAll}): after a failover a node may have
	 * hundreds, which one at a time, each waiting for the others' acknowledgements, take
	 * longer than the failover did.
	 * @return how many batches Redis did not answer
	 */
	private int replayBatches(Replay target) {
		Map<String, List<Eviction>> byCache = new HashMap<>();
		for (Eviction work : this.evictions) {
			if (work.key() != null) {
				byCache.computeIfAbsent(work.cache(), (cache) -> new ArrayList<>()).add(work);
			}
		}
		int failures = 0;
		for (Map.Entry<String, List<Eviction>> cache : byCache.entrySet()) {
			List<Eviction> batch = cache.getValue();
			if (batch.size() < BATCH) {
				continue;
			}
			List<Object> keys = new ArrayList<>(batch.size());
			batch.forEach((work) -> keys.add(work.key()));
			try {
				target.evictAll(cache.getKey(), keys);
				this.evictions.removeAll(batch);
			}
			catch (RemoteTierException ex) {
				if (!RedisCommands.isCommandError(ex)) {
					failures++;
				}
				// Else Redis refuses one of them: one at a time, the others go through.
			}
		}
		return failures;
	}

	/**
	 * Run one piece of work: {@code false} if Redis did not answer, so the rest waits.
	 */
	private boolean replayed(String cache, Runnable work) {
		try {
			work.run();
			return true;
		}
		catch (RemoteTierException ex) {
			if (!RedisCommands.isCommandError(ex)) {
				return false;
			}
			// Redis refuses this one (CROSSSLOT, NOPERM, ...) and would refuse it again:
			// it must not hold up the others.
			logger.warn("tiercache: Redis refused to replay an eviction of cache '" + cache
					+ "'; its hot copies expire after hot-ttl: " + ex.getMessage());
			return true;
		}
		catch (RuntimeException ex) {
			logger.warn("tiercache: could not replay an eviction of cache '" + cache + "'", ex);
			return true;
		}
	}

	/**
	 * How each kind of pending work is sent again.
	 */
	interface Replay {

		/** Evict {@code key} in Redis and tell the other nodes. */
		boolean evict(String cache, Object key);

		/**
		 * Evict {@code keys} of {@code cache} in Redis and tell the other nodes, in a few
		 * commands and one message.
		 */
		void evictAll(String cache, Collection<Object> keys);

		/** Clear {@code cache} in Redis and tell the other nodes. */
		boolean clear(String cache);

		/**
		 * Tell the other nodes that the key named {@code name} changed, or that
		 * {@code cache} was cleared when {@code name} is {@code null}.
		 */
		void notifyOthers(String cache, @Nullable String name);

	}

	private record Eviction(String cache, @Nullable Object key) {
	}

	private record Notice(String cache, @Nullable String name) {
	}

}
