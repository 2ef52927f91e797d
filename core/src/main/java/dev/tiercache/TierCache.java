package dev.tiercache;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import dev.tiercache.codec.CodecException;
import dev.tiercache.flight.SingleFlight;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.local.LocalTier;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.util.Assert;

/**
 * A Spring {@link Cache} with a local Caffeine tier and, in the remote modes, a
 * {@link RemoteTier} behind it; created by {@link TierCacheManager}.
 *
 * <p>
 * Reads look in the local tier first (main in local mode, hot in the remote modes); a hit
 * returns the stored {@link CacheEntry} itself as the {@link Cache.ValueWrapper}, with no
 * allocation, I/O or logging. On a miss one caller per key and node goes on
 * (single-flight): it asks the remote tier, whose answer is admitted to hot, and if the
 * remote tier has nothing, the remote tier's lease lets one caller in the cluster run the
 * loader. When the remote tier fails, the cache degrades to local behaviour: the loader
 * runs here and its value is kept in hot.
 *
 * <p>
 * A value fetched before an invalidation (a local write or one received from another
 * node) is never admitted to hot after it: admission checks, atomically with the store,
 * that the cache's invalidation count has not moved since the fetch began.
 *
 * <p>
 * With {@code refresh-after}, a hit of {@code get(key, Callable)} or
 * {@code retrieve(key, Supplier)} on an entry that is due for refresh (one field
 * comparison) returns the entry at once and hands the key and the caller's loader to a
 * background refresh ({@link CacheRefreshes}), single-flight in the whole cluster.
 *
 * <p>
 * {@code null} values are cached for {@code null-ttl} when allowed. When they are not, a
 * {@code null} result is returned to the caller but not stored, and
 * {@code put(key, null)} removes the key instead of failing the caller.
 *
 * @author tiercache
 */
public final class TierCache implements Cache {

	private final String name;

	private final TierCacheConfiguration configuration;

	private final LocalTier tier;

	private final SingleFlight<CacheEntry> flights;

	private final StatsCounter stats;

	private final @Nullable RemoteTier remote;

	private final Executor remoteExecutor;

	private final LocalCopies copies;

	/** The refreshes ahead of expiry, or {@code null} without {@code refresh-after}. */
	private final @Nullable CacheRefreshes refreshes;

	private final Observations observations;

	private final CacheLoads loads;

	/** Whether reads look in main: local mode, and the owner's keys in peers mode. */
	private final boolean usesMain;

	/** This cache's local tier as the remote tier sees it, registered once. */
	private final RemoteTier.LocalStore localStore;

	TierCache(String name, TierCacheConfiguration configuration, LocalTier tier, StatsCounter stats,
			Observations observations, @Nullable RemoteTier remote, RemoteExecutor remoteExecutor) {
		Assert.hasText(name, "Cache name must not be empty");
		this.name = name;
		this.configuration = configuration;
		this.tier = tier;
		this.stats = stats;
		this.remote = remote;
		this.remoteExecutor = remoteExecutor;
		this.flights = new SingleFlight<>(stats);
		this.usesMain = (remote == null) || remote.usesMain();
		this.copies = new LocalCopies(name, tier, this.flights, stats, remote);
		this.observations = observations;
		this.loads = new CacheLoads(name, configuration, tier, this.flights, stats, observations, remote,
				remoteExecutor, this.copies);
		this.localStore = this.copies.newLocalStore();
		this.refreshes = tier.refreshes() ? new CacheRefreshes(name, tier, this.flights, stats, remote, remoteExecutor,
				this.loads, this.copies, this::evict) : null;
	}

	@Override
	public String getName() {
		return this.name;
	}

	/**
	 * Return the Caffeine cache behind the main tier.
	 * @return the native cache, never {@code null}
	 */
	@Override
	public com.github.benmanes.caffeine.cache.Cache<Object, CacheEntry> getNativeCache() {
		return this.tier.mainCache();
	}

	/**
	 * Return the settings this cache was created with.
	 * @return the configuration
	 */
	public TierCacheConfiguration getConfiguration() {
		return this.configuration;
	}

	/**
	 * Return a snapshot of this cache's statistics.
	 * @return the statistics
	 */
	public CacheStats getStats() {
		return this.stats.snapshot();
	}

	/**
	 * Return the local tier, for sizes and diagnostics.
	 * @return the local tier
	 */
	public LocalTier getLocalTier() {
		return this.tier;
	}

	/**
	 * Return the remote tier behind this cache, for tests in this package.
	 */
	@Nullable RemoteTier remoteTier() {
		return this.remote;
	}

	/**
	 * Return the tiers of this node that hold {@code key} now, without affecting what
	 * they keep: {@code main}, {@code hot}, both or neither.
	 * @param key the key
	 * @return the tier names
	 */
	public List<String> whereCached(Object key) {
		List<String> tiers = new ArrayList<>(2);
		if (this.tier.mainContains(key)) {
			tiers.add("main");
		}
		if (this.tier.hotContains(key)) {
			tiers.add("hot");
		}
		return tiers;
	}

	/**
	 * Return the keys whose string form is {@code text}, for tools that name keys as
	 * text. If none is cached, {@code text} itself is returned, since a {@code String}
	 * key may still be stored elsewhere.
	 * @param text the string form of a key
	 * @return the keys it may name
	 */
	public Set<Object> keysNamed(String text) {
		Set<Object> keys = this.tier.keysNamed(text);
		if (keys.isEmpty()) {
			keys.add(text);
		}
		return keys;
	}

	@Override
	public @Nullable ValueWrapper get(Object key) {
		CacheEntry entry = lookup(key);
		if (entry == null && this.remote != null) {
			entry = fetchRemote(key, this.remote);
		}
		if (entry == null) {
			this.stats.record(Counter.MISSES);
		}
		return entry;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, @Nullable Class<T> type) {
		ValueWrapper entry = get(key);
		Object value = (entry != null) ? entry.get() : null;
		if (value != null && type != null && !type.isInstance(value)) {
			throw new IllegalStateException("Cached value of key '" + key + "' in cache '" + this.name
					+ "' is not of required type [" + type.getName() + "]: " + value.getClass().getName());
		}
		return (T) value;
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> @Nullable T get(Object key, Callable<T> valueLoader) {
		CacheEntry entry = lookup(key);
		if (entry == null) {
			this.stats.record(Counter.MISSES);
			try {
				entry = this.flights.execute(key, (flight) -> this.loads.load(key, flight, valueLoader));
			}
			catch (CompletionException ex) {
				throw new ValueRetrievalException(key, valueLoader, (ex.getCause() != null) ? ex.getCause() : ex);
			}
		}
		else if (this.refreshes != null && this.tier.claimRefresh(entry)) {
			this.refreshes.refresh(key, entry, valueLoader);
		}
		return (T) entry.get();
	}

	@Override
	public @Nullable CompletableFuture<?> retrieve(Object key) {
		CacheEntry entry = lookup(key);
		if (entry != null) {
			return CompletableFuture.completedFuture(entry);
		}
		RemoteTier remote = this.remote;
		if (remote == null) {
			this.stats.record(Counter.MISSES);
			return null;
		}
		long seen = this.copies.seen();
		Observations.AsyncFetch observed = this.observations.fetchAsync();
		CompletableFuture<@Nullable CacheEntry> fetch;
		try {
			fetch = remote.fetchAsync(this.name, key, this.remoteExecutor);
		}
		catch (RuntimeException ex) {
			fetch = CompletableFuture.failedFuture(ex);
		}
		return fetch.handle((fetched, failure) -> {
			boolean rejected = failure != null && CacheLoads.unwrap(failure) instanceof CodecException;
			observed.stop(rejected ? "rejected" : (failure != null) ? "error" : (fetched != null) ? "hit" : "miss",
					true);
			if (rejected) {
				this.copies.rejected(key, (CodecException) CacheLoads.unwrap(failure));
			}
			// Any failure of the remote tier is a miss; it counted it.
			CacheEntry found = (failure != null) ? null : fetched;
			if (found != null) {
				this.stats.record(Counter.REMOTE_HITS);
				this.copies.admitHot(key, found, seen, null);
			}
			else {
				this.stats.record(Counter.MISSES);
			}
			return found;
		});
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		CacheEntry entry = lookup(key);
		if (entry != null) {
			if (this.refreshes != null && this.tier.claimRefresh(entry)) {
				this.refreshes.refreshAsync(key, entry, valueLoader);
			}
			return CompletableFuture.completedFuture((T) entry.get());
		}
		this.stats.record(Counter.MISSES);
		return this.flights.executeAsync(key, (flight) -> this.loads.loadAsync(key, flight, valueLoader))
			.thenApply((loaded) -> (T) loaded.get());
	}

	@Override
	public void put(Object key, @Nullable Object value) {
		if (value == null && !this.configuration.isAllowNullValues()) {
			evict(key);
			return;
		}
		CacheEntry entry = this.tier.newEntry(value);
		RemoteTier remote = this.remote;
		if (remote == null) {
			this.flights.forget(key);
			this.tier.putMain(key, entry);
		}
		else {
			this.copies.invalidate(key);
			try {
				this.observations.write(() -> {
					remote.store(this.name, key, entry);
					return null;
				});
				// A read on this node while the write was in flight may have admitted the
				// old value to hot: drop it again, so this node reads its own write.
				this.copies.invalidateHot(key);
			}
			catch (RemoteTierException ex) {
				// Read our own write while the remote tier is away.
				this.copies.keepInHot(key, entry);
			}
			catch (CodecException ex) {
				this.copies.rejected(key, ex);
				// No other node can read this value: remove the old one everywhere, and
				// keep the new one on this node only.
				evictRemotely(remote, key);
				this.copies.keepInHot(key, entry);
			}
		}
		this.stats.record(Counter.PUTS);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		if (value == null && !this.configuration.isAllowNullValues()) {
			return get(key);
		}
		CacheEntry entry = this.tier.newEntry(value);
		RemoteTier remote = this.remote;
		CacheEntry existing;
		if (remote == null) {
			existing = this.tier.putMainIfAbsent(key, entry);
		}
		else {
			try {
				existing = this.observations.write(() -> remote.storeIfAbsent(this.name, key, entry));
				if (existing == null) {
					// Stored: a copy this node held was older than the store's.
					this.copies.invalidateHot(key);
				}
			}
			catch (RemoteTierException | CodecException ex) {
				if (ex instanceof CodecException codec) {
					this.copies.rejected(key, codec);
				}
				existing = this.tier.getHot(key);
				if (existing == null) {
					this.copies.keepInHot(key, entry);
				}
			}
		}
		if (existing == null) {
			this.stats.record(Counter.PUTS);
		}
		return existing;
	}

	@Override
	public void evict(Object key) {
		evictIfPresent(key);
	}

	@Override
	public boolean evictIfPresent(Object key) {
		boolean removed = this.copies.invalidate(key);
		RemoteTier remote = this.remote;
		if (remote != null) {
			removed = evictRemotely(remote, key) || removed;
			// A read on this node while the eviction was in flight may have admitted the
			// old value: drop it again before returning.
			this.copies.invalidate(key);
		}
		if (removed) {
			this.stats.record(Counter.REMOVALS);
		}
		return removed;
	}

	@Override
	public void clear() {
		invalidate();
	}

	@Override
	public boolean invalidate() {
		long size = this.tier.mainSize() + this.tier.hotSize();
		boolean notEmpty = this.copies.invalidateAll();
		RemoteTier remote = this.remote;
		if (remote != null) {
			try {
				notEmpty = this.observations.write(() -> remote.clear(this.name)) || notEmpty;
			}
			catch (RemoteTierException ex) {
				// Counted by the remote tier, which replays the clear when it is back.
			}
			// What a read or an owner-side load stored while the clear was in flight is
			// older than the clear: drop it before returning.
			this.copies.invalidateAll();
		}
		if (notEmpty) {
			this.stats.record(Counter.REMOVALS, size);
		}
		return notEmpty;
	}

	/**
	 * Drop every local copy (main and hot): this node may have missed invalidations.
	 */
	void dropLocalCopies() {
		this.copies.invalidateAll();
	}

	/**
	 * Return this cache's local tier as its remote tier sees it.
	 * @return the invalidation target and main store of this cache
	 */
	RemoteTier.LocalStore localStore() {
		return this.localStore;
	}

	private boolean evictRemotely(RemoteTier remote, Object key) {
		try {
			return this.observations.write(() -> remote.evict(this.name, key));
		}
		catch (RemoteTierException ex) {
			// Counted by the remote tier, which replays the eviction when it is back.
			return false;
		}
		catch (CodecException ex) {
			// A key without a name the other nodes agree on was only ever cached here.
			this.copies.rejected(key, ex);
			return false;
		}
	}

	private @Nullable CacheEntry lookup(Object key) {
		if (this.usesMain) {
			CacheEntry entry = this.tier.getMain(key);
			if (entry != null) {
				this.stats.record(Counter.MAIN_HITS);
				return entry;
			}
			if (this.remote == null) {
				return null;
			}
		}
		CacheEntry entry = this.tier.getHot(key);
		if (entry != null) {
			this.stats.record(Counter.HOT_HITS);
		}
		return entry;
	}

	private @Nullable CacheEntry fetchRemote(Object key, RemoteTier remote) {
		long seen = this.copies.seen();
		Observations.SyncFetch observed = this.observations.fetchSync();
		CacheEntry fetched;
		try {
			fetched = remote.fetch(this.name, key);
		}
		catch (RemoteTierException ex) {
			observed.stop("error", false);
			return null;
		}
		catch (CodecException ex) {
			observed.stop("rejected", false);
			this.copies.rejected(key, ex);
			return null;
		}
		catch (RuntimeException | Error ex) {
			// Close the observation's scope on this thread whatever went wrong.
			observed.stop("error", false);
			throw ex;
		}
		observed.stop((fetched != null) ? "hit" : "miss", false);
		if (fetched != null) {
			this.stats.record(Counter.REMOTE_HITS);
			this.copies.admitHot(key, fetched, seen, null);
		}
		return fetched;
	}

	@Override
	public String toString() {
		return "TierCache[" + this.name + "]";
	}

}
