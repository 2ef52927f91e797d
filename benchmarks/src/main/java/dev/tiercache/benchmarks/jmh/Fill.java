package dev.tiercache.benchmarks.jmh;

import java.util.Locale;

import dev.tiercache.TierCacheConfiguration;

/**
 * How full the benchmarked cache is. It matters to Caffeine: a size-bounded cache with
 * fixed expiry skips its read buffer (no LRU bookkeeping, no maintenance) until it is
 * half full; Caffeine records every read of a cache with per-entry expiry, so tiercache
 * applies the same rule itself (reads are quiet until a tier has been half full).
 * {@link #FULL} is the steady state of a cache that earns its place; {@link #TENTH} is a
 * cache far larger than its working set.
 *
 * @author tiercache
 */
enum Fill {

	/** The keys fill the cache: maximum size equals the number of keys. */
	FULL(1),

	/** The keys fill a tenth of the cache. */
	TENTH(10);

	private final int factor;

	Fill(int factor) {
		this.factor = factor;
	}

	/**
	 * Parse a JMH parameter value.
	 * @param name {@code full} or {@code tenth}
	 * @return the fill
	 */
	static Fill of(String name) {
		return valueOf(name.toUpperCase(Locale.ROOT));
	}

	/**
	 * The default cache settings with a maximum size that this fill gives for
	 * {@code keys} keys.
	 * @param keys the number of cached keys
	 * @return the settings
	 */
	TierCacheConfiguration config(int keys) {
		return TierCacheConfiguration.defaultCacheConfig().withMaximumSize((long) keys * this.factor);
	}

}
