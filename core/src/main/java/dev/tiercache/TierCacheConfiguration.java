package dev.tiercache;

import java.time.Duration;
import java.util.Objects;

import org.springframework.util.Assert;

/**
 * Immutable settings of one cache. Start from {@link #defaultCacheConfig()} and change
 * what differs with the {@code with...} methods, each of which returns a new instance:
 *
 * <pre class="code">
 * TierCacheConfiguration books = TierCacheConfiguration.defaultCacheConfig()
 * 	.withTtl(Duration.ofHours(1))
 * 	.withMaximumSize(50_000);
 * </pre>
 *
 * Every {@code with...} method rejects an invalid value with an
 * {@link IllegalArgumentException} whose message says what is allowed.
 *
 * @author tiercache
 */
public final class TierCacheConfiguration {

	private static final TierCacheConfiguration DEFAULTS = new TierCacheConfiguration(Duration.ofMinutes(10), 0.05,
			Duration.ofMinutes(1), true, 10_000, 0, 0.125, Duration.ofSeconds(30), Duration.ZERO);

	private final Duration ttl;

	private final double ttlJitter;

	private final Duration nullTtl;

	private final boolean allowNullValues;

	private final long maximumSize;

	private final long maximumWeight;

	private final double hotRatio;

	private final Duration hotTtl;

	private final Duration refreshAfter;

	private TierCacheConfiguration(Duration ttl, double ttlJitter, Duration nullTtl, boolean allowNullValues,
			long maximumSize, long maximumWeight, double hotRatio, Duration hotTtl, Duration refreshAfter) {
		this.ttl = ttl;
		this.ttlJitter = ttlJitter;
		this.nullTtl = nullTtl;
		this.allowNullValues = allowNullValues;
		this.maximumSize = maximumSize;
		this.maximumWeight = maximumWeight;
		this.hotRatio = hotRatio;
		this.hotTtl = hotTtl;
		this.refreshAfter = refreshAfter;
	}

	/**
	 * Return the defaults: {@code ttl} 10 minutes with a {@code ttl-jitter} of 0.05,
	 * {@code null-ttl} 1 minute, {@code null} values allowed, at most 10,000 entries, a
	 * hot tier of 1/8 of that living at most 30 seconds, no refresh ahead of expiry.
	 * @return the default configuration
	 */
	public static TierCacheConfiguration defaultCacheConfig() {
		return DEFAULTS;
	}

	/**
	 * Return a copy whose entries live {@code ttl} after they are written.
	 * @param ttl the time to live; {@link Duration#ZERO} means entries never expire
	 * @return a new configuration
	 */
	public TierCacheConfiguration withTtl(Duration ttl) {
		Assert.notNull(ttl, "ttl must not be null");
		Assert.isTrue(!ttl.isNegative(), () -> "ttl must not be negative; use 0 for entries that never expire");
		return new TierCacheConfiguration(ttl, this.ttlJitter, this.nullTtl, this.allowNullValues, this.maximumSize,
				this.maximumWeight, this.hotRatio, this.hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy whose time to live is shortened by a random fraction of up to
	 * {@code ttlJitter}, so that entries written together do not expire together.
	 * @param ttlJitter a fraction from 0 (no jitter) up to, but excluding, 1
	 * @return a new configuration
	 */
	public TierCacheConfiguration withTtlJitter(double ttlJitter) {
		Assert.isTrue(ttlJitter >= 0 && ttlJitter < 1,
				() -> "ttl-jitter must be a fraction from 0 (no jitter) up to, but excluding, 1, for example 0.05");
		return new TierCacheConfiguration(this.ttl, ttlJitter, this.nullTtl, this.allowNullValues, this.maximumSize,
				this.maximumWeight, this.hotRatio, this.hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy that remembers a {@code null} result for {@code nullTtl}, shielding
	 * the backing store from repeated lookups of missing rows.
	 * @param nullTtl how long a cached {@code null} lives; must be positive
	 * @return a new configuration
	 */
	public TierCacheConfiguration withNullTtl(Duration nullTtl) {
		Assert.notNull(nullTtl, "null-ttl must not be null");
		Assert.isTrue(!nullTtl.isNegative() && !nullTtl.isZero(),
				() -> "null-ttl must be positive; to stop caching null results set allow-null-values to false");
		return new TierCacheConfiguration(this.ttl, this.ttlJitter, nullTtl, this.allowNullValues, this.maximumSize,
				this.maximumWeight, this.hotRatio, this.hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy that caches {@code null} results, or does not.
	 * @param allowNullValues whether {@code null} results are cached
	 * @return a new configuration
	 */
	public TierCacheConfiguration withAllowNullValues(boolean allowNullValues) {
		return new TierCacheConfiguration(this.ttl, this.ttlJitter, this.nullTtl, allowNullValues, this.maximumSize,
				this.maximumWeight, this.hotRatio, this.hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy that holds at most {@code maximumSize} entries in its main tier.
	 * @param maximumSize a positive number of entries
	 * @return a new configuration
	 */
	public TierCacheConfiguration withMaximumSize(long maximumSize) {
		Assert.isTrue(maximumSize > 0, () -> "maximum-size must be a positive number of entries");
		return new TierCacheConfiguration(this.ttl, this.ttlJitter, this.nullTtl, this.allowNullValues, maximumSize,
				this.maximumWeight, this.hotRatio, this.hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy bounded by the estimated size of its entries in bytes instead of
	 * their number. The estimate is described in {@code docs/configuration.md}.
	 * @param maximumWeight estimated bytes; 0 to bound by {@code maximum-size} instead
	 * @return a new configuration
	 */
	public TierCacheConfiguration withMaximumWeight(long maximumWeight) {
		Assert.isTrue(maximumWeight >= 0,
				() -> "maximum-weight must be a positive size such as 64MB, or 0 to bound the cache by maximum-size");
		return new TierCacheConfiguration(this.ttl, this.ttlJitter, this.nullTtl, this.allowNullValues,
				this.maximumSize, maximumWeight, this.hotRatio, this.hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy whose hot tier (local copies of entries stored elsewhere) may use
	 * {@code hotRatio} of the cache's size.
	 * @param hotRatio a fraction from 0 (no hot tier) up to, but excluding, 1
	 * @return a new configuration
	 */
	public TierCacheConfiguration withHotRatio(double hotRatio) {
		Assert.isTrue(hotRatio >= 0 && hotRatio < 1,
				() -> "hot-ratio must be a fraction from 0 (no hot tier) up to, but excluding, 1, for example 0.125");
		return new TierCacheConfiguration(this.ttl, this.ttlJitter, this.nullTtl, this.allowNullValues,
				this.maximumSize, this.maximumWeight, hotRatio, this.hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy whose hot copies live at most {@code hotTtl}, which bounds staleness
	 * when an invalidation is lost.
	 * @param hotTtl a positive duration
	 * @return a new configuration
	 */
	public TierCacheConfiguration withHotTtl(Duration hotTtl) {
		Assert.notNull(hotTtl, "hot-ttl must not be null");
		Assert.isTrue(!hotTtl.isNegative() && !hotTtl.isZero(),
				() -> "hot-ttl must be positive, for example 30s; set hot-ratio to 0 to turn the hot tier off");
		return new TierCacheConfiguration(this.ttl, this.ttlJitter, this.nullTtl, this.allowNullValues,
				this.maximumSize, this.maximumWeight, this.hotRatio, hotTtl, this.refreshAfter);
	}

	/**
	 * Return a copy whose entries are refreshed ahead of their expiry: a read with a
	 * loader ({@code get(key, Callable)}, what {@code @Cacheable(sync = true)} calls, or
	 * {@code retrieve(key, Supplier)}) that finds an entry older than
	 * {@code refreshAfter} returns it at once and reloads it in the background with that
	 * read's loader, one reload per key in the whole cluster; the new value replaces the
	 * old one everywhere as a write does. A refresh that fails leaves the old value until
	 * its {@code ttl}. Cached {@code null}s are not refreshed. With {@code ttl-jitter},
	 * the refresh moves with the entry's shortened life: it comes when the entry's
	 * remaining time to live falls to {@code (ttl - refreshAfter) * (1 - ttlJitter)}.
	 * <p>
	 * {@code refreshAfter} must be shorter than {@code ttl}, which must not be
	 * {@link Duration#ZERO} (forever); {@link #validate()} checks that once every setting
	 * is made, as {@link TierCacheManager.Builder#build()} does.
	 * @param refreshAfter the age after which a read refreshes an entry;
	 * {@link Duration#ZERO} (the default) turns refreshing off
	 * @return a new configuration
	 */
	public TierCacheConfiguration withRefreshAfter(Duration refreshAfter) {
		Assert.notNull(refreshAfter, "refresh-after must not be null");
		Assert.isTrue(!refreshAfter.isNegative(),
				() -> "refresh-after must not be negative; use 0 to turn refreshing off");
		return new TierCacheConfiguration(this.ttl, this.ttlJitter, this.nullTtl, this.allowNullValues,
				this.maximumSize, this.maximumWeight, this.hotRatio, this.hotTtl, refreshAfter);
	}

	/**
	 * Check the settings that only make sense together, which the {@code with...}
	 * methods, called in any order, cannot check one at a time: {@code refresh-after}
	 * must be shorter than {@code ttl}.
	 * @return this configuration
	 * @throws IllegalArgumentException whose message says what to change
	 */
	public TierCacheConfiguration validate() {
		if (this.refreshAfter.isZero()) {
			return this;
		}
		Assert.isTrue(!this.ttl.isZero(), () -> "refresh-after (" + this.refreshAfter + ") needs entries that expire, "
				+ "but ttl is 0 (forever): set ttl longer than refresh-after, or refresh-after to 0");
		Assert.isTrue(this.refreshAfter.compareTo(this.ttl) < 0,
				() -> "refresh-after (" + this.refreshAfter + ") must be shorter than ttl (" + this.ttl + "): an entry "
						+ "is refreshed once it is older than refresh-after and expires at ttl; set refresh-after "
						+ "below ttl, or to 0 to turn refreshing off");
		return this;
	}

	/**
	 * Return the time to live of a value; {@link Duration#ZERO} means forever.
	 * @return the time to live
	 */
	public Duration getTtl() {
		return this.ttl;
	}

	/**
	 * Return the largest fraction by which a time to live is randomly shortened.
	 * @return the jitter fraction
	 */
	public double getTtlJitter() {
		return this.ttlJitter;
	}

	/**
	 * Return how long a cached {@code null} lives.
	 * @return the null time to live
	 */
	public Duration getNullTtl() {
		return this.nullTtl;
	}

	/**
	 * Return whether {@code null} results are cached.
	 * @return whether nulls are allowed
	 */
	public boolean isAllowNullValues() {
		return this.allowNullValues;
	}

	/**
	 * Return the largest number of entries in the main tier.
	 * @return the maximum size
	 */
	public long getMaximumSize() {
		return this.maximumSize;
	}

	/**
	 * Return the largest estimated size in bytes, or 0 when bounded by entry count.
	 * @return the maximum weight
	 */
	public long getMaximumWeight() {
		return this.maximumWeight;
	}

	/**
	 * Return the hot tier's share of the cache's size.
	 * @return the hot ratio
	 */
	public double getHotRatio() {
		return this.hotRatio;
	}

	/**
	 * Return the longest a hot copy lives.
	 * @return the hot time to live
	 */
	public Duration getHotTtl() {
		return this.hotTtl;
	}

	/**
	 * Return the age after which a read with a loader refreshes an entry.
	 * @return the refresh age; {@link Duration#ZERO} when refreshing is off
	 */
	public Duration getRefreshAfter() {
		return this.refreshAfter;
	}

	@Override
	public boolean equals(Object other) {
		return (other instanceof TierCacheConfiguration that) && this.ttl.equals(that.ttl)
				&& this.ttlJitter == that.ttlJitter && this.nullTtl.equals(that.nullTtl)
				&& this.allowNullValues == that.allowNullValues && this.maximumSize == that.maximumSize
				&& this.maximumWeight == that.maximumWeight && this.hotRatio == that.hotRatio
				&& this.hotTtl.equals(that.hotTtl) && this.refreshAfter.equals(that.refreshAfter);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.ttl, this.ttlJitter, this.nullTtl, this.allowNullValues, this.maximumSize,
				this.maximumWeight, this.hotRatio, this.hotTtl, this.refreshAfter);
	}

	@Override
	public String toString() {
		return "TierCacheConfiguration[ttl=" + this.ttl + ", ttlJitter=" + this.ttlJitter + ", nullTtl=" + this.nullTtl
				+ ", allowNullValues=" + this.allowNullValues + ", maximumSize=" + this.maximumSize + ", maximumWeight="
				+ this.maximumWeight + ", hotRatio=" + this.hotRatio + ", hotTtl=" + this.hotTtl + ", refreshAfter="
				+ this.refreshAfter + "]";
	}

}
