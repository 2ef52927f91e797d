package dev.tiercache.remote;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

/**
 * Where the authoritative copy of an entry lives when it is not this node: Redis, or the
 * owner peer. {@code TierCache} keeps one code path for every mode and calls this
 * interface for what lies beyond the local tier.
 *
 * <p>
 * Entries cross this interface as {@link CacheEntry} objects whose time to live is the
 * entry's <em>remaining</em> time to live, never an absolute expiry (clocks differ
 * between hosts). An entry whose time to live is {@link CacheEntry#NOT_STORED} is handed
 * back to callers but never stored.
 *
 * <p>
 * Every method may throw {@link RemoteTierException} when the remote tier cannot answer;
 * the implementation counts the failure in the cache's statistics before it throws, and
 * the caller degrades to local behaviour. A {@link dev.tiercache.codec.CodecException} is
 * not a failure of the remote tier but of the value, and reaches the caller.
 *
 * @author tiercache
 */
public interface RemoteTier extends AutoCloseable {

	/**
	 * Return this tier's view of the cluster.
	 * @return the view
	 */
	ClusterView view();

	/**
	 * Register a cache, so that the tier can count into its statistics and deliver
	 * invalidations sent by other nodes to it.
	 * @param cache the cache name
	 * @param configuration the cache's settings
	 * @param stats the cache's statistics
	 * @param local the cache's local tier: invalidations, and the main tier an owner
	 * serves
	 */
	void register(String cache, TierCacheConfiguration configuration, StatsCounter stats, LocalStore local);

	/**
	 * Return whether this node keeps the authoritative copy of {@code key} in its own
	 * main tier (the owner, in peers mode). Never called on the hit path.
	 * @param cache the cache name
	 * @param key the key
	 * @return whether this node owns the key
	 */
	default boolean ownsLocally(String cache, Object key) {
		return false;
	}

	/**
	 * Let the tier create a cache that another node asks about before this node used it,
	 * so that the first requests of a cache created on first use are single-flight too. A
	 * tier bounds how many caches other nodes may create this way.
	 * @param creator creates (and so registers) the cache of a name, if it may
	 */
	default void onUnknownCache(Consumer<String> creator) {
	}

	/**
	 * Return how long this node may be paused without possibly missing invalidations that
	 * it is never told about again; after a longer pause the manager drops every local
	 * copy ({@link PauseDetector}).
	 * @return the tolerance, or {@code null} if the tier needs no pause detection
	 */
	default @Nullable Duration pauseTolerance() {
		return null;
	}

	/**
	 * Return whether hot copies may be admitted now. A tier that cannot hear the other
	 * nodes' invalidations (an outage) may refuse them, trading loads for consistency; it
	 * drops the hot copies it had itself when the outage begins. Called at admission,
	 * never on a hit.
	 * @return {@code true} unless hot copies are not trusted now
	 */
	default boolean trustsHot() {
		return true;
	}

	/**
	 * Return whether some keys live in this node's main tier, so that reads look there
	 * before hot.
	 * @return {@code true} in peers mode
	 */
	default boolean usesMain() {
		return false;
	}

	/**
	 * Return the stored entry of {@code key}, or {@code null} if there is none.
	 * @param cache the cache name
	 * @param key the key
	 * @return the entry with its remaining time to live, or {@code null}
	 */
	@Nullable CacheEntry fetch(String cache, Object key);

	/**
	 * Return the stored entry of {@code key}; if there is none, make sure that one caller
	 * in the whole cluster runs a loader for it: this caller runs {@code loader} and
	 * stores the result if it gets the lease for the key, and otherwise waits for the
	 * caller that has it. Once {@code loader} has run, this method does not throw
	 * {@link RemoteTierException}: a failure to store is counted and the loaded entry is
	 * returned.
	 * @param cache the cache name
	 * @param key the key
	 * @param loader runs the application's loader; what it throws reaches the caller
	 * @return the stored or loaded entry
	 */
	CacheEntry fetchOrLoad(String cache, Object key, Loader loader);

	/**
	 * {@link #fetch(String, Object)} without blocking the caller. The default runs it on
	 * {@code executor}; a tier that can wait for its answers without a thread overrides
	 * it.
	 * @param cache the cache name
	 * @param key the key
	 * @param executor runs what has to run on a thread of its own
	 * @return a future of the entry with its remaining time to live, or of {@code null}
	 */
	default CompletableFuture<@Nullable CacheEntry> fetchAsync(String cache, Object key, Executor executor) {
		return CompletableFuture.supplyAsync(() -> fetch(cache, key), executor);
	}

	/**
	 * {@link #fetchOrLoad(String, Object, Loader)} without blocking the caller: no thread
	 * waits for the store, the lease or the loader. The default runs the blocking method
	 * on {@code executor}; a tier that can wait for its answers without a thread
	 * overrides it. The returned future fails with what {@code loader}'s future failed
	 * with, or with a {@link RemoteTierException} (counted) that no loader ran for.
	 * @param cache the cache name
	 * @param key the key
	 * @param loader starts the application's loader
	 * @param executor runs what has to run on a thread of its own
	 * @return a future of the stored or loaded entry
	 */
	default CompletableFuture<CacheEntry> fetchOrLoadAsync(String cache, Object key, AsyncLoader loader,
			Executor executor) {
		return CompletableFuture.supplyAsync(() -> fetchOrLoad(cache, key, () -> loader.load().join()), executor);
	}

	/**
	 * Refresh the stored entry of {@code key} ahead of its expiry, if it is due and no
	 * other caller in the cluster loads or refreshes the key: take the key's lease (the
	 * one loads take) only if the stored entry's remaining time to live is at most
	 * {@code windowNanos} (or there is no entry any more), run {@code loader} while
	 * holding it, and store the result under the same rule as a load, only while the
	 * lease still holds, so that a write or an eviction since the lease was taken wins. A
	 * stored result then replaces the old value everywhere as a write does: the other
	 * nodes, and this one, drop their copies. Blocks; the cache calls it on a background
	 * thread. The default refreshes nothing.
	 * @param cache the cache name
	 * @param key the key
	 * @param windowNanos the remaining time to live at which an entry is due for refresh
	 * @param loader runs the application's loader; what it throws reaches the caller,
	 * after the lease is released
	 * @return the loaded entry, or {@code null} if this node did not refresh (the entry
	 * is not due, or another caller holds the key's lease)
	 * @throws RemoteTierException if the remote tier could not be asked (counted)
	 */
	default @Nullable CacheEntry refresh(String cache, Object key, long windowNanos, Loader loader) {
		return null;
	}

	/**
	 * Store {@code entry}, replacing any entry of {@code key}, and tell the other nodes.
	 * @param cache the cache name
	 * @param key the key
	 * @param entry the entry, with its full time to live
	 */
	void store(String cache, Object key, CacheEntry entry);

	/**
	 * Store {@code entry} unless {@code key} has an entry already.
	 * @param cache the cache name
	 * @param key the key
	 * @param entry the entry, with its full time to live
	 * @return the entry that was present, or {@code null} if {@code entry} was stored
	 */
	@Nullable CacheEntry storeIfAbsent(String cache, Object key, CacheEntry entry);

	/**
	 * Remove {@code key} and tell the other nodes, returning once they have dropped their
	 * copies (or a bounded wait for them has passed).
	 * @param cache the cache name
	 * @param key the key
	 * @return whether the store held the key
	 */
	boolean evict(String cache, Object key);

	/**
	 * Remove every entry of {@code cache} and tell the other nodes.
	 * @param cache the cache name
	 * @return whether the store held any entry of the cache
	 */
	boolean clear(String cache);

	@Override
	void close();

	/**
	 * Runs the application's loader for a key.
	 */
	@FunctionalInterface
	interface Loader {

		/**
		 * Run the loader.
		 * @return the loaded entry, with its full time to live
		 */
		CacheEntry load();

	}

	/**
	 * Starts the application's loader for a key without waiting for it.
	 */
	@FunctionalInterface
	interface AsyncLoader {

		/**
		 * Start the loader.
		 * @return a future of the loaded entry, with its full time to live
		 */
		CompletableFuture<CacheEntry> load();

	}

	/**
	 * A cache's local tier as a remote tier sees it: invalidations, and (in peers mode)
	 * the main tier that the owner of a key serves and stores into.
	 */
	interface LocalStore extends Invalidations {

		/**
		 * Return the main entry of {@code key} with its remaining time to live.
		 * @param key the key
		 * @return the entry, or {@code null}
		 */
		@Nullable CacheEntry getOwned(Object key);

		/**
		 * Return the main entry of {@code key} with its remaining time to live, for a
		 * peer that asked for it: unlike {@link #getOwned(Object)}, the read counts for
		 * main's eviction policy, so an owner keeps the entries the cluster reads.
		 * @param key the key
		 * @return the entry, or {@code null}
		 */
		@Nullable CacheEntry serveOwned(Object key);

		/**
		 * Store {@code entry} in main.
		 * @param key the key
		 * @param entry the entry with its time to live
		 */
		void storeOwned(Object key, CacheEntry entry);

		/**
		 * Remove {@code key} from main (and hot).
		 * @param key the key
		 * @return whether it was there
		 */
		boolean removeOwned(Object key);

		/**
		 * Drop every hot copy of the cache (main stays).
		 */
		void invalidateAllHot();

		/**
		 * Call {@code action} with every main entry and its remaining time to live.
		 * @param action what to do with each entry
		 */
		void forEachOwned(BiConsumer<Object, CacheEntry> action);

	}

	/**
	 * Receives the changes other nodes made, to drop local copies.
	 */
	interface Invalidations {

		/**
		 * Another node changed or removed {@code key}.
		 * @param key the key
		 */
		void invalidate(Object key);

		/**
		 * Another node changed or removed the key whose name
		 * ({@link dev.tiercache.codec.KeyNames}) is {@code name}, whatever the type of
		 * the key it used: drop every local copy of a key of that name. By default, drop
		 * everything, which is always safe.
		 * @param name the key name
		 */
		default void invalidateNamed(String name) {
			invalidateAll();
		}

		/**
		 * Another node cleared the cache, or invalidations may have been missed.
		 */
		void invalidateAll();

	}

}
