package dev.tiercache;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import dev.tiercache.codec.CodecException;
import dev.tiercache.flight.Flight;
import dev.tiercache.flight.SingleFlight;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.local.LocalTier;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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

	private static final Log logger = LogFactory.getLog(TierCache.class);

	/** How many keys or values could not cross to other nodes, for the log's pacing. */
	private final AtomicLong rejections = new AtomicLong();

	/** Moves on every invalidation of this cache, local or received. */
	private final AtomicLong invalidations = new AtomicLong();

	/** Whether reads look in main: local mode, and the owner's keys in peers mode. */
	private final boolean usesMain;

	/** This cache's local tier as the remote tier sees it, registered once. */
	private final RemoteTier.LocalStore localStore = newLocalStore();

	TierCache(String name, TierCacheConfiguration configuration, LocalTier tier, StatsCounter stats,
			@Nullable RemoteTier remote, Executor remoteExecutor) {
		Assert.hasText(name, "Cache name must not be empty");
		this.name = name;
		this.configuration = configuration;
		this.tier = tier;
		this.stats = stats;
		this.remote = remote;
		this.remoteExecutor = remoteExecutor;
		this.flights = new SingleFlight<>(stats);
		this.usesMain = (remote == null) || remote.usesMain();
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
				entry = this.flights.execute(key, (flight) -> load(key, flight, valueLoader));
			}
			catch (CompletionException ex) {
				throw new ValueRetrievalException(key, valueLoader, (ex.getCause() != null) ? ex.getCause() : ex);
			}
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
		return CompletableFuture.supplyAsync(() -> {
			CacheEntry fetched = fetchRemote(key, remote);
			if (fetched == null) {
				this.stats.record(Counter.MISSES);
			}
			return fetched;
		}, this.remoteExecutor);
	}

	@Override
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> retrieve(Object key, Supplier<CompletableFuture<T>> valueLoader) {
		CacheEntry entry = lookup(key);
		if (entry != null) {
			return CompletableFuture.completedFuture((T) entry.get());
		}
		this.stats.record(Counter.MISSES);
		return this.flights.executeAsync(key, (flight) -> loadAsync(key, flight, valueLoader))
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
			invalidateLocally(key);
			try {
				remote.store(this.name, key, entry);
				// A read on this node while the write was in flight may have admitted the
				// old value to hot: drop it again, so this node reads its own write.
				invalidateHot(key);
			}
			catch (RemoteTierException ex) {
				// Read our own write while the remote tier is away.
				keepInHot(key, entry);
			}
			catch (CodecException ex) {
				rejected(key, ex);
				// No other node can read this value: remove the old one everywhere, and
				// keep the new one on this node only.
				evictRemotely(remote, key);
				keepInHot(key, entry);
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
				existing = remote.storeIfAbsent(this.name, key, entry);
				if (existing == null) {
					// Stored: a copy this node held was older than the store's.
					invalidateHot(key);
				}
			}
			catch (RemoteTierException | CodecException ex) {
				if (ex instanceof CodecException codec) {
					rejected(key, codec);
				}
				existing = this.tier.getHot(key);
				if (existing == null) {
					keepInHot(key, entry);
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
		boolean removed = invalidateLocally(key);
		RemoteTier remote = this.remote;
		if (remote != null) {
			removed = evictRemotely(remote, key) || removed;
			// A read on this node while the eviction was in flight may have admitted the
			// old value: drop it again before returning.
			invalidateLocally(key);
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
		boolean notEmpty = invalidateAllLocally();
		RemoteTier remote = this.remote;
		if (remote != null) {
			try {
				notEmpty = remote.clear(this.name) || notEmpty;
			}
			catch (RemoteTierException ex) {
				// Counted by the remote tier, which replays the clear when it is back.
			}
			// What a read or an owner-side load stored while the clear was in flight is
			// older than the clear: drop it before returning.
			invalidateAllLocally();
		}
		if (notEmpty) {
			this.stats.record(Counter.REMOVALS, size);
		}
		return notEmpty;
	}

	/**
	 * Return this cache's local tier as its remote tier sees it.
	 * @return the invalidation target and main store of this cache
	 */
	RemoteTier.LocalStore localStore() {
		return this.localStore;
	}

	private RemoteTier.LocalStore newLocalStore() {
		return new RemoteTier.LocalStore() {

			@Override
			public void invalidate(Object key) {
				invalidateLocally(key);
			}

			@Override
			public void invalidateNamed(String name) {
				// Moved first, so that a fetch of a key of this name that is not in hot
				// yet is not admitted after this.
				TierCache.this.invalidations.incrementAndGet();
				TierCache.this.tier.removeHotNamed(name, TierCache.this.flights::forget);
			}

			@Override
			public void invalidateAll() {
				invalidateAllLocally();
			}

			@Override
			public @Nullable CacheEntry getOwned(Object key) {
				return TierCache.this.tier.getMainRemaining(key);
			}

			@Override
			public @Nullable CacheEntry serveOwned(Object key) {
				return TierCache.this.tier.readMainRemaining(key);
			}

			@Override
			public void storeOwned(Object key, CacheEntry entry) {
				TierCache.this.tier.putMain(key, entry);
			}

			@Override
			public boolean removeOwned(Object key) {
				return invalidateLocally(key);
			}

			@Override
			public void forEachOwned(BiConsumer<Object, CacheEntry> action) {
				TierCache.this.tier.forEachMain(action);
			}

		};
	}

	private boolean invalidateLocally(Object key) {
		this.flights.forget(key);
		this.invalidations.incrementAndGet();
		return this.tier.remove(key);
	}

	private boolean invalidateAllLocally() {
		boolean[] notEmpty = new boolean[1];
		this.flights.forgetAll(() -> {
			this.invalidations.incrementAndGet();
			notEmpty[0] = this.tier.clear();
		});
		return notEmpty[0];
	}

	private void invalidateHot(Object key) {
		this.flights.forget(key);
		this.invalidations.incrementAndGet();
		this.tier.removeHot(key);
	}

	/**
	 * Keep this node's own write in hot while the remote tier cannot take it.
	 */
	private void keepInHot(Object key, CacheEntry entry) {
		admitHot(key, entry, this.invalidations.get(), null);
	}

	private boolean evictRemotely(RemoteTier remote, Object key) {
		try {
			return remote.evict(this.name, key);
		}
		catch (RemoteTierException ex) {
			// Counted by the remote tier, which replays the eviction when it is back.
			return false;
		}
		catch (CodecException ex) {
			// A key without a name the other nodes agree on was only ever cached here.
			rejected(key, ex);
			return false;
		}
	}

	/**
	 * Count a key or value that cannot cross to other nodes, and say why once in a while;
	 * the operation goes on with this node's tier only.
	 */
	private void rejected(Object key, CodecException ex) {
		this.stats.record(Counter.REJECTED_PAYLOADS);
		long count = this.rejections.incrementAndGet();
		if (count <= 3 || count % 10_000 == 0) {
			logger.warn("tiercache: cache '" + this.name + "' keeps a key of type " + key.getClass().getName()
					+ " on this node only (" + count + " so far): " + ex.getMessage());
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
		long seen = this.invalidations.get();
		CacheEntry fetched;
		try {
			fetched = remote.fetch(this.name, key);
		}
		catch (RemoteTierException ex) {
			return null;
		}
		catch (CodecException ex) {
			rejected(key, ex);
			return null;
		}
		if (fetched != null) {
			this.stats.record(Counter.REMOTE_HITS);
			admitHot(key, fetched, seen, null);
		}
		return fetched;
	}

	private CacheEntry load(Object key, Flight<CacheEntry> flight, Callable<?> valueLoader) {
		RemoteTier remote = this.remote;
		if (remote == null) {
			CacheEntry loaded = this.tier.getMain(key);
			if (loaded != null) {
				return loaded;
			}
			CacheEntry entry = runLoader(key, valueLoader);
			if (entry.isStorable()) {
				this.flights.admit(key, flight, (current) -> this.tier.admitMain(key, entry, current));
			}
			return entry;
		}
		CacheEntry cached = (this.usesMain && this.tier.getMain(key) != null) ? this.tier.getMain(key)
				: this.tier.getHot(key);
		if (cached != null) {
			return cached;
		}
		long seen = this.invalidations.get();
		CacheEntry[] loadedHere = new CacheEntry[1];
		CacheEntry entry;
		try {
			entry = remote.fetchOrLoad(this.name, key, () -> loadedHere[0] = runLoader(key, valueLoader));
		}
		catch (RemoteTierException | CodecException ex) {
			if (ex instanceof CodecException codec) {
				// The key (or the loaded value) cannot cross to other nodes.
				rejected(key, codec);
			}
			// Keep the value in hot only; the loader never runs twice for one call.
			entry = (loadedHere[0] != null) ? loadedHere[0] : runLoader(key, valueLoader);
		}
		admitHot(key, entry, seen, flight);
		return entry;
	}

	private CompletableFuture<CacheEntry> loadAsync(Object key, Flight<CacheEntry> flight,
			Supplier<? extends CompletableFuture<?>> valueLoader) {
		if (this.remote != null) {
			Callable<Object> loader = () -> awaitLoader(valueLoader);
			return CompletableFuture.supplyAsync(() -> {
				try {
					return load(key, flight, loader);
				}
				catch (ValueRetrievalException ex) {
					// As in local mode (and Spring's own caches), the returned future
					// fails
					// with what the supplier's future failed with, not a wrapper.
					throw (ex.getCause() instanceof CompletionException completion) ? completion
							: new CompletionException(ex.getCause());
				}
			}, this.remoteExecutor);
		}
		CacheEntry loaded = this.tier.getMain(key);
		if (loaded != null) {
			return CompletableFuture.completedFuture(loaded);
		}
		long start = System.nanoTime();
		return valueLoader.get().handle((value, failure) -> {
			this.stats.recordLoadTime(System.nanoTime() - start);
			if (failure != null) {
				this.stats.record(Counter.LOAD_FAILURES);
				throw (failure instanceof CompletionException completion) ? completion
						: new CompletionException(failure);
			}
			this.stats.record(Counter.LOADS);
			CacheEntry entry = entryFor(value);
			if (entry.isStorable()) {
				this.flights.admit(key, flight, (current) -> this.tier.admitMain(key, entry, current));
			}
			return entry;
		});
	}

	private static @Nullable Object awaitLoader(Supplier<? extends CompletableFuture<?>> valueLoader) throws Exception {
		try {
			return valueLoader.get().join();
		}
		catch (CompletionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof Exception exception) {
				throw exception;
			}
			throw ex;
		}
	}

	/**
	 * Run the application's loader, counting it, and wrap the result with its TTL.
	 */
	private CacheEntry runLoader(Object key, Callable<?> valueLoader) {
		long start = System.nanoTime();
		Object value;
		try {
			value = valueLoader.call();
		}
		catch (Exception ex) {
			this.stats.recordLoadTime(System.nanoTime() - start);
			this.stats.record(Counter.LOAD_FAILURES);
			throw new ValueRetrievalException(key, valueLoader, ex);
		}
		this.stats.recordLoadTime(System.nanoTime() - start);
		this.stats.record(Counter.LOADS);
		return entryFor(value);
	}

	private CacheEntry entryFor(@Nullable Object value) {
		if (value == null && !this.configuration.isAllowNullValues()) {
			return new CacheEntry(null, CacheEntry.NOT_STORED);
		}
		return this.tier.newEntry(value);
	}

	/**
	 * Keep a copy of an entry stored elsewhere in hot, unless the cache was invalidated
	 * since {@code seen} (or {@code flight} was overtaken), checked atomically with the
	 * store.
	 */
	private void admitHot(Object key, CacheEntry entry, long seen, @Nullable Flight<CacheEntry> flight) {
		if (!entry.isStorable() || (this.remote != null && this.remote.ownsLocally(this.name, key))) {
			return;
		}
		CacheEntry hot = this.tier.newHotEntry(entry.get(), entry.ttlNanos());
		this.flights.admit((current) -> this.tier.admitHot(key, hot, current),
				() -> this.invalidations.get() == seen && (flight == null || this.flights.isCurrent(key, flight)));
	}

	@Override
	public String toString() {
		return "TierCache[" + this.name + "]";
	}

}
