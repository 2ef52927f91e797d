package dev.tiercache;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import dev.tiercache.flight.Flight;
import dev.tiercache.flight.SingleFlight;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.local.LocalTier;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.util.Assert;

/**
 * A Spring {@link Cache} with a local Caffeine tier, created by {@link TierCacheManager}.
 *
 * <p>
 * Reads look in the local tier first; a hit returns the stored {@link CacheEntry} itself
 * as the {@link Cache.ValueWrapper}, with no allocation, I/O or logging. Loads through
 * {@link #get(Object, Callable)} and {@link #retrieve(Object, Supplier)} are
 * single-flight: concurrent callers of one missing key run the loader once and share its
 * result.
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

	TierCache(String name, TierCacheConfiguration configuration, LocalTier tier, StatsCounter stats) {
		Assert.hasText(name, "Cache name must not be empty");
		this.name = name;
		this.configuration = configuration;
		this.tier = tier;
		this.stats = stats;
		this.flights = new SingleFlight<>(stats);
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
		if (entry == null) {
			this.stats.record(Counter.MISSES);
			return null;
		}
		return CompletableFuture.completedFuture(entry);
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
		this.flights.forget(key);
		this.tier.putMain(key, this.tier.newEntry(value));
		this.stats.record(Counter.PUTS);
	}

	@Override
	public @Nullable ValueWrapper putIfAbsent(Object key, @Nullable Object value) {
		if (value == null && !this.configuration.isAllowNullValues()) {
			return this.tier.getMain(key);
		}
		CacheEntry existing = this.tier.putMainIfAbsent(key, this.tier.newEntry(value));
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
		this.flights.forget(key);
		boolean removed = this.tier.remove(key);
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
		boolean[] notEmpty = new boolean[1];
		this.flights.forgetAll(() -> notEmpty[0] = this.tier.clear());
		if (notEmpty[0]) {
			this.stats.record(Counter.REMOVALS, size);
		}
		return notEmpty[0];
	}

	private @Nullable CacheEntry lookup(Object key) {
		CacheEntry entry = this.tier.getMain(key);
		if (entry != null) {
			this.stats.record(Counter.MAIN_HITS);
		}
		return entry;
	}

	private CacheEntry load(Object key, Flight<CacheEntry> flight, Callable<?> valueLoader) {
		CacheEntry loaded = this.tier.getMain(key);
		if (loaded != null) {
			return loaded;
		}
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
		return store(key, flight, value);
	}

	private CompletableFuture<CacheEntry> loadAsync(Object key, Flight<CacheEntry> flight,
			Supplier<? extends CompletableFuture<?>> valueLoader) {
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
			return store(key, flight, value);
		});
	}

	private CacheEntry store(Object key, Flight<CacheEntry> flight, @Nullable Object value) {
		CacheEntry entry = this.tier.newEntry(value);
		if (value != null || this.configuration.isAllowNullValues()) {
			this.flights.admit(key, flight, (stillCurrent) -> this.tier.admitMain(key, entry, stillCurrent));
		}
		return entry;
	}

	@Override
	public String toString() {
		return "TierCache[" + this.name + "]";
	}

}
