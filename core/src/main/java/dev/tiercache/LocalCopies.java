package dev.tiercache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.KeyNames;
import dev.tiercache.flight.Flight;
import dev.tiercache.flight.SingleFlight;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.local.LocalTier;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A cache's local copies as writes and invalidations see them: every invalidation, local
 * or received, moves a counter, and a copy fetched or loaded before an invalidation is
 * never admitted to hot after it (the check and the store are one atomic step). Also the
 * cache's local tier as its remote tier sees it ({@link RemoteTier.LocalStore}).
 *
 * @author tiercache
 */
final class LocalCopies {

	private static final Log logger = LogFactory.getLog(LocalCopies.class);

	private final String name;

	private final LocalTier tier;

	private final SingleFlight<CacheEntry> flights;

	private final StatsCounter stats;

	private final @Nullable RemoteTier remote;

	/** Moves on every invalidation of this cache, local or received. */
	private final AtomicLong invalidations = new AtomicLong();

	/** How many keys or values could not cross to other nodes, for the log's pacing. */
	private final AtomicLong rejections = new AtomicLong();

	LocalCopies(String name, LocalTier tier, SingleFlight<CacheEntry> flights, StatsCounter stats,
			@Nullable RemoteTier remote) {
		this.name = name;
		this.tier = tier;
		this.flights = flights;
		this.stats = stats;
		this.remote = remote;
	}

	/**
	 * Return the invalidation count, to note before a fetch or load whose result may be
	 * admitted to hot.
	 */
	long seen() {
		return this.invalidations.get();
	}

	RemoteTier.LocalStore newLocalStore() {
		return new RemoteTier.LocalStore() {

			@Override
			public void invalidate(Object key) {
				LocalCopies.this.invalidate(key);
			}

			@Override
			public void invalidateNamed(String name) {
				// Moved first, so that a fetch of a key of this name that is not in hot
				// yet is not admitted after this.
				LocalCopies.this.invalidations.incrementAndGet();
				// A load of a key of this name under way here began before the write:
				// later
				// callers must not join it.
				LocalCopies.this.flights.forgetIf((key) -> name.equals(KeyNames.nameOrNull(key)));
				LocalCopies.this.tier.removeHotNamed(name, LocalCopies.this.flights::forget);
			}

			@Override
			public void invalidateAll() {
				LocalCopies.this.invalidateAll();
			}

			@Override
			public @Nullable CacheEntry getOwned(Object key) {
				return LocalCopies.this.tier.getMainRemaining(key);
			}

			@Override
			public @Nullable CacheEntry serveOwned(Object key) {
				return LocalCopies.this.tier.readMainRemaining(key);
			}

			@Override
			public void storeOwned(Object key, CacheEntry entry) {
				LocalCopies.this.tier.putMain(key, entry);
			}

			@Override
			public boolean removeOwned(Object key) {
				return LocalCopies.this.invalidate(key);
			}

			@Override
			public void invalidateAllHot() {
				LocalCopies.this.flights.forgetAll(() -> {
					LocalCopies.this.invalidations.incrementAndGet();
					LocalCopies.this.tier.clearHot();
				});
			}

			@Override
			public void forEachOwned(BiConsumer<Object, CacheEntry> action) {
				LocalCopies.this.tier.forEachMain(action);
			}

		};
	}

	boolean invalidate(Object key) {
		this.flights.forget(key);
		this.invalidations.incrementAndGet();
		return this.tier.remove(key);
	}

	boolean invalidateAll() {
		boolean[] notEmpty = new boolean[1];
		this.flights.forgetAll(() -> {
			this.invalidations.incrementAndGet();
			notEmpty[0] = this.tier.clear();
		});
		return notEmpty[0];
	}

	void invalidateHot(Object key) {
		this.flights.forget(key);
		this.invalidations.incrementAndGet();
		this.tier.removeHot(key);
	}

	/**
	 * Keep this node's own write in hot while the remote tier cannot take it.
	 */
	void keepInHot(Object key, CacheEntry entry) {
		admitHot(key, entry, seen(), null);
	}

	/**
	 * Count a key or value that cannot cross to other nodes, and say why once in a while;
	 * the operation goes on with this node's tier only.
	 */
	void rejected(Object key, CodecException ex) {
		this.stats.record(Counter.REJECTED_PAYLOADS);
		long count = this.rejections.incrementAndGet();
		if (count <= 3 || count % 10_000 == 0) {
			logger.warn("tiercache: cache '" + this.name + "' keeps a key of type " + key.getClass().getName()
					+ " on this node only (" + count + " so far): " + ex.getMessage());
		}
	}

	/**
	 * Keep a copy of an entry stored elsewhere in hot, unless the cache was invalidated
	 * since {@code seen} (or {@code flight} was overtaken), checked atomically with the
	 * store.
	 */
	void admitHot(Object key, CacheEntry entry, long seen, @Nullable Flight<CacheEntry> flight) {
		RemoteTier remote = this.remote;
		if (!entry.isStorable() || (remote != null && remote.ownsLocally(this.name, key))) {
			return;
		}
		CacheEntry hot = this.tier.newHotEntry(entry.get(), entry.ttlNanos());
		// Trust is checked after the count: a tier drops hot (moving the count) after it
		// stops trusting it, so an admission that saw the count before the drop fails the
		// first check, and one that saw it after fails the second.
		this.flights.admit((current) -> this.tier.admitHot(key, hot, current), () -> this.invalidations.get() == seen
				&& (remote == null || remote.trustsHot()) && (flight == null || this.flights.isCurrent(key, flight)));
	}

}
