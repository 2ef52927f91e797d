package dev.tiercache.local;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.jspecify.annotations.Nullable;

/**
 * The main and hot Caffeine caches of one Spring cache, with the entries' time to live.
 *
 * <p>
 * main is bounded by {@code maximum-size} (or {@code maximum-weight}); hot, when enabled,
 * by {@code hot-ratio} of that, and its entries never outlive {@code hot-ttl}. Entries
 * removed by size or age are counted as {@link Counter#EVICTIONS}.
 *
 * <p>
 * A read of a tier that is less than half full skips Caffeine's access bookkeeping (see
 * {@link Store}), so a hit costs what it costs in a Caffeine cache with fixed expiry.
 *
 * <p>
 * With {@code refresh-after}, every entry stored in main, and every hot copy, is stamped
 * with when it is due for refresh: once its remaining time to live falls to the refresh
 * window, {@code (ttl - refresh-after) * (1 - ttl-jitter)}. That is an entry's age
 * {@code refresh-after} when it was not shortened by jitter, and the same point of its
 * shorter life when it was; and since it is computed from the remaining time to live, a
 * copy fetched from the remote tier, which knows nothing else of the entry's age, is due
 * when the stored entry is. A hit then tells whether to refresh with one comparison
 * ({@link #claimRefresh(CacheEntry)}).
 *
 * @author tiercache
 */
public final class LocalTier {

	/**
	 * The longest a refresh that failed, or found another refreshing, waits to be tried
	 * again.
	 */
	static final long MAX_REFRESH_RETRY_NANOS = Duration.ofSeconds(1).toNanos();

	private final Store main;

	private final @Nullable Store hot;

	private final long ttlNanos;

	private final long nullTtlNanos;

	private final double ttlJitter;

	private final long hotTtlNanos;

	private final RandomGenerator random;

	private final Ticker ticker;

	/**
	 * The remaining time to live at which an entry is due for refresh, or -1 when the
	 * cache does not refresh.
	 */
	private final long refreshWindowNanos;

	/**
	 * How long after a hit claimed an entry's refresh the next hit may try again, should
	 * the refresh fail or find another node refreshing.
	 */
	private final long refreshRetryNanos;

	/**
	 * Create the local tier of one cache.
	 * @param config the cache's settings
	 * @param withHot whether to keep a hot tier (remote modes) or only main (local mode)
	 * @param ticker the clock entries expire by
	 * @param random the source of TTL jitter
	 * @param executor where Caffeine runs maintenance and listeners
	 * @param stats where evictions are counted
	 */
	public LocalTier(TierCacheConfiguration config, boolean withHot, Ticker ticker, RandomGenerator random,
			Executor executor, StatsCounter stats) {
		this.ttlNanos = nanos(config.getTtl());
		this.nullTtlNanos = nanos(config.getNullTtl());
		this.ttlJitter = config.getTtlJitter();
		this.hotTtlNanos = nanos(config.getHotTtl());
		this.random = random;
		this.ticker = ticker;
		long refreshAfterNanos = config.getRefreshAfter().isZero() ? 0 : nanos(config.getRefreshAfter());
		if (refreshAfterNanos > 0 && this.ttlNanos != CacheEntry.FOREVER && refreshAfterNanos < this.ttlNanos) {
			this.refreshWindowNanos = Math.max(1, (long) ((this.ttlNanos - refreshAfterNanos) * (1 - this.ttlJitter)));
			this.refreshRetryNanos = Math.max(1, Math.min(MAX_REFRESH_RETRY_NANOS, this.refreshWindowNanos / 4));
		}
		else {
			this.refreshWindowNanos = -1;
			this.refreshRetryNanos = 0;
		}
		this.main = new Store(newCache(config, 1.0, ticker, executor, stats), null);
		this.hot = (withHot && config.getHotRatio() > 0)
				? new Store(newCache(config, config.getHotRatio(), ticker, executor, stats), new HotNames()) : null;
	}

	private static Cache<Object, CacheEntry> newCache(TierCacheConfiguration config, double share, Ticker ticker,
			Executor executor, StatsCounter stats) {
		Caffeine<Object, CacheEntry> builder = Caffeine.newBuilder()
			.ticker(ticker)
			.executor(executor)
			.expireAfter(EntryExpiry.INSTANCE)
			.evictionListener((key, entry, cause) -> stats.record(Counter.EVICTIONS));
		if (config.getMaximumWeight() > 0) {
			builder.maximumWeight(Math.max(1, (long) (config.getMaximumWeight() * share))).weigher(new SizeEstimator());
		}
		else {
			builder.maximumSize(Math.max(1, (long) (config.getMaximumSize() * share)));
		}
		return builder.build();
	}

	private static long nanos(Duration duration) {
		if (duration.isZero()) {
			return CacheEntry.FOREVER;
		}
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException ex) {
			return CacheEntry.FOREVER;
		}
	}

	/**
	 * Wrap a freshly loaded or written value with its time to live: {@code ttl} (or
	 * {@code null-ttl} for {@code null}), shortened by a random fraction of up to
	 * {@code ttl-jitter}.
	 * @param value the value, or {@code null}
	 * @return the entry to store
	 */
	public CacheEntry newEntry(@Nullable Object value) {
		long ttl = (value != null) ? this.ttlNanos : this.nullTtlNanos;
		if (ttl != CacheEntry.FOREVER && this.ttlJitter > 0) {
			ttl -= (long) (ttl * this.ttlJitter * this.random.nextDouble());
		}
		return new CacheEntry(value, ttl);
	}

	/**
	 * Wrap a value fetched from elsewhere for the hot tier: it lives at most
	 * {@code hot-ttl} and never past {@code remainingTtlNanos}.
	 * @param value the value, or {@code null}
	 * @param remainingTtlNanos what is left of the entry's time to live at its store
	 * @return the entry to admit to hot
	 */
	public CacheEntry newHotEntry(@Nullable Object value, long remainingTtlNanos) {
		CacheEntry hot = new CacheEntry(value, Math.min(this.hotTtlNanos, remainingTtlNanos));
		if (this.refreshWindowNanos >= 0) {
			// Due when the stored entry is, whatever hot-ttl cut off.
			hot.refreshAt(refreshAt(value, remainingTtlNanos));
		}
		return hot;
	}

	/**
	 * Return whether this cache refreshes entries ({@code refresh-after} is set).
	 * @return whether hits may claim refreshes
	 */
	public boolean refreshes() {
		return this.refreshWindowNanos >= 0;
	}

	/**
	 * Return the remaining time to live at which an entry is due for refresh:
	 * {@code (ttl - refresh-after) * (1 - ttl-jitter)}.
	 * @return nanoseconds, or -1 when the cache does not refresh
	 */
	public long refreshWindowNanos() {
		return this.refreshWindowNanos;
	}

	/**
	 * Return whether {@code entry}, just read, is due for refresh, and if so claim its
	 * refresh for the caller: no other hit on this entry claims it again for a short
	 * while (a second at most), which bounds the tries of a refresh that fails or that
	 * another node runs. Reads one field and the clock; allocates nothing.
	 * @param entry an entry read from main or hot
	 * @return whether the caller should start a refresh
	 */
	public boolean claimRefresh(CacheEntry entry) {
		long at = entry.refreshAt();
		if (at == CacheEntry.NEVER) {
			return false;
		}
		long now = this.ticker.read();
		return now - at >= 0 && entry.claimRefresh(at, now + this.refreshRetryNanos);
	}

	/**
	 * Stamp an entry about to be stored in main with when it is due for refresh.
	 */
	private CacheEntry stamped(CacheEntry entry) {
		if (this.refreshWindowNanos >= 0) {
			entry.refreshAt(refreshAt(entry.get(), entry.ttlNanos()));
		}
		return entry;
	}

	private long refreshAt(@Nullable Object value, long remainingTtlNanos) {
		if (value == null || remainingTtlNanos == CacheEntry.FOREVER || remainingTtlNanos == CacheEntry.NOT_STORED) {
			return CacheEntry.NEVER;
		}
		return this.ticker.read() + remainingTtlNanos - this.refreshWindowNanos;
	}

	/**
	 * Return the main entry of {@code key}, if present and not expired.
	 * @param key the key
	 * @return the entry or {@code null}
	 */
	public @Nullable CacheEntry getMain(Object key) {
		return this.main.get(key);
	}

	/**
	 * Return the hot entry of {@code key}, if present and not expired.
	 * @param key the key
	 * @return the entry or {@code null}
	 */
	public @Nullable CacheEntry getHot(Object key) {
		return (this.hot != null) ? this.hot.get(key) : null;
	}

	/**
	 * Store {@code entry} in main, replacing any entry of {@code key}.
	 * @param key the key
	 * @param entry the entry
	 */
	public void putMain(Object key, CacheEntry entry) {
		this.main.put(key, stamped(entry));
	}

	/**
	 * Store {@code entry} in main unless {@code key} has an entry already.
	 * @param key the key
	 * @param entry the entry
	 * @return the entry that was present, or {@code null} if {@code entry} was stored
	 */
	public @Nullable CacheEntry putMainIfAbsent(Object key, CacheEntry entry) {
		return this.main.putIfAbsent(key, stamped(entry));
	}

	/**
	 * Store a loaded {@code entry} in main if {@code key} has none and
	 * {@code stillCurrent} holds. The check and the store are atomic with respect to
	 * {@link #remove(Object)} of the same key, so a value loaded before an eviction is
	 * never stored after it.
	 * @param key the key
	 * @param entry the loaded entry
	 * @param stillCurrent whether the load that produced {@code entry} is still wanted
	 * @return whether the entry was stored
	 */
	public boolean admitMain(Object key, CacheEntry entry, BooleanSupplier stillCurrent) {
		return this.main.admit(key, stamped(entry), stillCurrent);
	}

	/**
	 * Replace the main entry of {@code key} with a refreshed {@code entry}, but only if
	 * it is still {@code expected}, the entry whose refresh produced it: atomically, so a
	 * refresh never replaces a write, or an entry stored after an eviction, that came
	 * after the entry it refreshed.
	 * @param key the key
	 * @param expected the entry that was refreshed
	 * @param entry the refreshed entry
	 * @return whether the entry was replaced
	 */
	public boolean replaceMain(Object key, CacheEntry expected, CacheEntry entry) {
		return this.main.replace(key, expected, stamped(entry));
	}

	/**
	 * Return the main entry of {@code key} without touching its recency or frequency, for
	 * a refresh's check that the entry it refreshes is still there.
	 * @param key the key
	 * @return the entry, or {@code null}
	 */
	public @Nullable CacheEntry peekMain(Object key) {
		return this.main.policy.getIfPresentQuietly(key);
	}

	/**
	 * Store a fetched {@code entry} in hot, on the same terms as
	 * {@link #admitMain(Object, CacheEntry, BooleanSupplier)}. Does nothing without a hot
	 * tier.
	 * @param key the key
	 * @param entry the entry, made by {@link #newHotEntry(Object, long)}
	 * @param stillCurrent whether the fetch that produced {@code entry} is still wanted
	 * @return whether the entry was stored
	 */
	public boolean admitHot(Object key, CacheEntry entry, BooleanSupplier stillCurrent) {
		return (this.hot != null) && this.hot.admit(key, entry, stillCurrent);
	}

	/**
	 * Remove {@code key} from main and hot.
	 * @param key the key
	 * @return whether either tier held it
	 */
	public boolean remove(Object key) {
		boolean removed = this.main.remove(key);
		if (this.hot != null) {
			removed |= this.hot.remove(key);
		}
		return removed;
	}

	/**
	 * Remove {@code key} from hot only.
	 * @param key the key
	 */
	public void removeHot(Object key) {
		if (this.hot != null) {
			this.hot.remove(key);
		}
	}

	/**
	 * Remove from hot every key whose name ({@link dev.tiercache.codec.KeyNames}) is
	 * {@code name}, whatever its type: {@code 150L} and {@code "150"} name one entry in
	 * Redis. Costs a map lookup, not a walk of hot.
	 * @param name the key name
	 * @param removed called with each key removed
	 */
	public void removeHotNamed(String name, Consumer<Object> removed) {
		Store hot = this.hot;
		if (hot == null || hot.names == null) {
			return;
		}
		for (Object key : hot.names.keysNamed(name)) {
			if (hot.remove(key)) {
				removed.accept(key);
			}
		}
	}

	/**
	 * Remove every entry from main and hot.
	 * @return whether either tier held anything
	 */
	public boolean clear() {
		boolean notEmpty = !this.main.cache.asMap().isEmpty()
				|| (this.hot != null && !this.hot.cache.asMap().isEmpty());
		this.main.cache.invalidateAll();
		if (this.hot != null) {
			this.hot.clear();
		}
		return notEmpty;
	}

	/**
	 * Remove every entry from hot only.
	 */
	public void clearHot() {
		if (this.hot != null) {
			this.hot.cache.invalidateAll();
		}
	}

	/**
	 * Return whether main holds an unexpired entry for {@code key}, without touching its
	 * recency or frequency (for diagnostics, not for reads).
	 * @param key the key
	 * @return whether main holds the key
	 */
	public boolean mainContains(Object key) {
		return this.main.policy.getIfPresentQuietly(key) != null;
	}

	/**
	 * Return whether hot holds an unexpired entry for {@code key}, without touching its
	 * recency or frequency (for diagnostics, not for reads).
	 * @param key the key
	 * @return whether hot holds the key
	 */
	public boolean hotContains(Object key) {
		return this.hot != null && this.hot.policy.getIfPresentQuietly(key) != null;
	}

	/**
	 * Return the main entry of {@code key} with the time it has left, without touching
	 * its recency or frequency: for an owner's checks, which are not reads.
	 * @param key the key
	 * @return the entry with its remaining time to live, or {@code null}
	 */
	public @Nullable CacheEntry getMainRemaining(Object key) {
		return withRemaining(key, this.main.policy.getIfPresentQuietly(key));
	}

	/**
	 * Return the main entry of {@code key} with the time it has left, as a read: it
	 * counts for main's eviction policy as a hit of this node's own does. What an owner
	 * hands to the peer that asked for it, so that main keeps what the whole cluster
	 * reads, not only this node.
	 * @param key the key
	 * @return the entry with its remaining time to live, or {@code null}
	 */
	public @Nullable CacheEntry readMainRemaining(Object key) {
		return withRemaining(key, this.main.get(key));
	}

	private @Nullable CacheEntry withRemaining(Object key, @Nullable CacheEntry entry) {
		if (entry == null) {
			return null;
		}
		long remaining = remaining(key, entry);
		return (remaining > 0) ? entry.withRemaining(remaining) : null;
	}

	/**
	 * Call {@code action} with every main entry and the time it has left.
	 * @param action what to do with each entry
	 */
	public void forEachMain(BiConsumer<Object, CacheEntry> action) {
		this.main.cache.asMap().forEach((key, entry) -> {
			long remaining = remaining(key, entry);
			if (remaining > 0) {
				action.accept(key, entry.withRemaining(remaining));
			}
		});
	}

	private long remaining(Object key, CacheEntry entry) {
		if (entry.ttlNanos() == CacheEntry.FOREVER) {
			return CacheEntry.FOREVER;
		}
		return this.main.policy.expireVariably()
			.flatMap((expiry) -> expiry.getExpiresAfter(key))
			.map(Duration::toNanos)
			.orElse(entry.ttlNanos());
	}

	/**
	 * Return the keys of main and hot whose string form is {@code text}, for tools that
	 * name keys as text (the actuator endpoint). It walks both tiers, so it is meant for
	 * occasional administrative use.
	 * @param text the string form of a key
	 * @return the matching keys, possibly several of different types
	 */
	public Set<Object> keysNamed(String text) {
		Set<Object> keys = new LinkedHashSet<>();
		collectKeysNamed(this.main.cache, text, keys);
		if (this.hot != null) {
			collectKeysNamed(this.hot.cache, text, keys);
		}
		return keys;
	}

	private static void collectKeysNamed(Cache<Object, CacheEntry> cache, String text, Set<Object> keys) {
		for (Object key : cache.asMap().keySet()) {
			if (text.equals(String.valueOf(key))) {
				keys.add(key);
			}
		}
	}

	/**
	 * Return the Caffeine cache behind main, for {@code Cache.getNativeCache()}.
	 * @return the main cache
	 */
	public Cache<Object, CacheEntry> mainCache() {
		return this.main.cache;
	}

	/**
	 * Return the approximate number of entries in main.
	 * @return the size
	 */
	public long mainSize() {
		return this.main.cache.estimatedSize();
	}

	/**
	 * Return the approximate number of entries in hot.
	 * @return the size, 0 without a hot tier
	 */
	public long hotSize() {
		return (this.hot != null) ? this.hot.cache.estimatedSize() : 0;
	}

	/**
	 * Return the estimated weight of main's entries, when the cache is bounded by
	 * {@code maximum-weight}.
	 * @return the weight in estimated bytes, or -1 if the cache is bounded by size
	 */
	public long mainWeight() {
		return weight(this.main);
	}

	/**
	 * Return the estimated weight of hot's entries, when the cache is bounded by
	 * {@code maximum-weight}.
	 * @return the weight in estimated bytes, 0 without a hot tier, or -1 if the cache is
	 * bounded by size
	 */
	public long hotWeight() {
		return (this.hot != null) ? weight(this.hot) : (isWeighted(this.main) ? 0 : -1);
	}

	private static long weight(Store store) {
		return store.cache.policy()
			.eviction()
			.map((eviction) -> eviction.weightedSize().orElse(-1L))
			.orElse(-1L)
			.longValue();
	}

	private static boolean isWeighted(Store store) {
		return store.cache.policy().eviction().map((eviction) -> eviction.isWeighted()).orElse(false);
	}

	/**
	 * Return how many names the hot index holds, for tests.
	 */
	int hotNamesSize() {
		return (this.hot != null && this.hot.names != null) ? this.hot.names.size() : 0;
	}

	/**
	 * Return whether reads of main are recorded for Caffeine's eviction policy yet.
	 * @return {@code false} until main has been half full
	 */
	boolean mainRecordsReads() {
		return this.main.recordsReads;
	}

	/**
	 * One Caffeine cache, main or hot, and how it is read.
	 *
	 * <p>
	 * Caffeine records every read of a bounded cache in a buffer that its maintenance
	 * replays into the LRU queues and the frequency sketch of its eviction policy. A
	 * cache with fixed expiry skips that until it is first half full, when eviction
	 * begins to matter; a cache with per-entry expiry, like these, never does, because
	 * its expiry could change on read. These entries' expiry never changes on read (see
	 * {@link EntryExpiry}), so the store applies Caffeine's rule itself: until the cache
	 * has been half full, a read is {@link Policy#getIfPresentQuietly(Object) quiet}
	 * (checks expiry, records nothing); from then on, every read is recorded.
	 */
	private static final class Store {

		final Cache<Object, CacheEntry> cache;

		final Policy<Object, CacheEntry> policy;

		/** Keys by name, for hot; {@code null} for main. */
		final @Nullable HotNames names;

		private final Policy.Eviction<Object, CacheEntry> eviction;

		private volatile boolean recordsReads;

		Store(Cache<Object, CacheEntry> cache, @Nullable HotNames names) {
			this.cache = cache;
			this.policy = cache.policy();
			this.eviction = this.policy.eviction().orElseThrow();
			this.names = names;
		}

		@Nullable CacheEntry get(Object key) {
			return this.recordsReads ? this.cache.getIfPresent(key) : this.policy.getIfPresentQuietly(key);
		}

		void put(Object key, CacheEntry entry) {
			this.cache.put(key, entry);
			written();
		}

		boolean replace(Object key, CacheEntry expected, CacheEntry entry) {
			// By identity: CacheEntry does not override equals.
			boolean replaced = this.cache.asMap().replace(key, expected, entry);
			written();
			return replaced;
		}

		@Nullable CacheEntry putIfAbsent(Object key, CacheEntry entry) {
			CacheEntry existing = this.cache.asMap().putIfAbsent(key, entry);
			written();
			return existing;
		}

		boolean admit(Object key, CacheEntry entry, BooleanSupplier stillCurrent) {
			HotNames names = this.names;
			boolean stored;
			if (names == null) {
				stored = this.cache.asMap()
					.computeIfAbsent(key, (k) -> stillCurrent.getAsBoolean() ? entry : null) == entry;
			}
			else {
				// Named before the check, under the entry's lock: an invalidation by name
				// that the check does not see finds the key.
				stored = this.cache.asMap().computeIfAbsent(key, (k) -> {
					names.add(k);
					if (stillCurrent.getAsBoolean()) {
						return entry;
					}
					names.remove(k);
					return null;
				}) == entry;
				if (stored && names.needsSweep(this.cache.estimatedSize())) {
					sweep(names);
				}
			}
			written();
			return stored;
		}

		boolean remove(Object key) {
			HotNames names = this.names;
			if (names == null) {
				return this.cache.asMap().remove(key) != null;
			}
			boolean[] removed = new boolean[1];
			this.cache.asMap().compute(key, (k, present) -> {
				removed[0] = present != null;
				names.remove(k);
				return null;
			});
			return removed[0];
		}

		void clear() {
			HotNames names = this.names;
			if (names != null) {
				names.forEachKey(this::remove);
			}
			this.cache.invalidateAll();
		}

		/**
		 * Drop from the index the keys that hot dropped on its own (size, expiry), each
		 * under its entry's lock and only while the entry is absent.
		 */
		private void sweep(HotNames names) {
			names.forEachKey((key) -> this.cache.asMap().computeIfAbsent(key, (k) -> {
				names.remove(k);
				return null;
			}));
		}

		/**
		 * Start recording reads once the cache is half full; every write calls it.
		 */
		private void written() {
			if (!this.recordsReads) {
				long size = this.eviction.weightedSize().orElseGet(this.cache::estimatedSize);
				if (size >= this.eviction.getMaximum() / 2) {
					this.recordsReads = true;
				}
			}
		}

	}

}
