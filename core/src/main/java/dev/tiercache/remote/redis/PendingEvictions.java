package dev.tiercache.remote.redis;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.RemoteTierException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Evictions and clears that reached Redis or the other nodes only in part, replayed when
 * Redis answers again. At most {@value #LIMIT} are remembered; beyond that, every cache
 * is cleared on replay.
 *
 * @author tiercache
 */
final class PendingEvictions {

	private static final Log logger = LogFactory.getLog(PendingEvictions.class);

	static final int LIMIT = 10_000;

	private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean overflow = new AtomicBoolean();

	/**
	 * Remember an eviction of {@code key}, or a clear of {@code cache} when {@code key}
	 * is {@code null}.
	 */
	void add(String cache, @Nullable Object key) {
		if (this.pending.size() >= LIMIT) {
			this.overflow.set(true);
		}
		else {
			this.pending.add(new Pending(cache, key));
		}
	}

	int size() {
		return this.pending.size();
	}

	/**
	 * Send the remembered evictions again through {@code tier}, stopping at the first
	 * that Redis does not answer; one that Redis refuses with an error is dropped.
	 * @param tier the tier whose {@code evict} and {@code clear} replay them
	 * @param caches the registered caches, all cleared after an overflow
	 */
	void replay(RemoteTier tier, Collection<String> caches) {
		if (this.overflow.getAndSet(false)) {
			this.pending.clear();
			caches.forEach((cache) -> this.pending.add(new Pending(cache, null)));
		}
		for (Pending work : List.copyOf(this.pending)) {
			try {
				if (work.key() == null) {
					tier.clear(work.cache());
				}
				else {
					tier.evict(work.cache(), work.key());
				}
				this.pending.remove(work);
			}
			catch (RemoteTierException ex) {
				if (!RedisCommands.isCommandError(ex)) {
					// Redis does not answer: the rest waits for the next recovery.
					return;
				}
				// Redis refuses this one (CROSSSLOT, NOPERM, ...) and would refuse it
				// again: it must not hold up the others.
				this.pending.remove(work);
				logger.warn("tiercache: Redis refused to replay an eviction of cache '" + work.cache()
						+ "'; its entry expires with its time to live: " + ex.getMessage());
			}
			catch (RuntimeException ex) {
				this.pending.remove(work);
				logger.warn("tiercache: could not replay an eviction of cache '" + work.cache() + "'", ex);
			}
		}
	}

	/**
	 * An eviction (of a key, or of the whole cache when {@code key} is {@code null}) that
	 * could not be sent.
	 */
	private record Pending(String cache, @Nullable Object key) {
	}

}
