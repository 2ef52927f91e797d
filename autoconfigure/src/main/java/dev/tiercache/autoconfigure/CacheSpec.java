package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.function.BiFunction;

import dev.tiercache.TierCacheConfiguration;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

/**
 * Settings of one cache, under {@code tiercache.defaults} (every cache) or
 * {@code tiercache.caches.<name>}; a {@code null} setting is not set and is inherited.
 *
 * @author tiercache
 */
public class CacheSpec {

	/**
	 * Time to live of an entry after it is written; 0 means entries never expire.
	 */
	private @Nullable Duration ttl;

	/**
	 * Largest random fraction by which a time to live is shortened, so that entries
	 * written together do not expire together. From 0 (no jitter) up to, but excluding,
	 * 1.
	 */
	private @Nullable Double ttlJitter;

	/**
	 * Time to live of a cached null result, which shields the backing store from repeated
	 * lookups of missing rows.
	 */
	private @Nullable Duration nullTtl;

	/**
	 * Whether null results are cached. When false a null result is returned but not
	 * stored.
	 */
	private @Nullable Boolean allowNullValues;

	/**
	 * Largest number of entries this node keeps for the cache.
	 */
	private @Nullable Long maximumSize;

	/**
	 * Largest estimated size of the cache's entries, such as 64MB; when set it bounds the
	 * cache instead of 'maximum-size'. 0 means not set.
	 */
	private @Nullable DataSize maximumWeight;

	/**
	 * Share of the cache's size for the hot tier (local copies of entries stored
	 * elsewhere), from 0 (no hot tier) up to, but excluding, 1. Used by the remote modes.
	 */
	private @Nullable Double hotRatio;

	/**
	 * Longest time a hot copy lives, which bounds staleness when an invalidation is lost.
	 * Used by the remote modes.
	 */
	private @Nullable Duration hotTtl;

	/**
	 * Age after which a read with a loader ('@Cacheable(sync = true)', a method returning
	 * CompletableFuture or a reactive type, or every eligible '@Cacheable' with
	 * 'tiercache.single-flight=always') refreshes an entry: it returns the current value
	 * at once and reloads it in the background with that read's method, once in the whole
	 * cluster. Must be shorter than 'ttl'; a failed refresh leaves the old value until
	 * 'ttl'. 0 turns refreshing off.
	 */
	private @Nullable Duration refreshAfter;

	public @Nullable Duration getTtl() {
		return this.ttl;
	}

	public void setTtl(@Nullable Duration ttl) {
		this.ttl = ttl;
	}

	public @Nullable Double getTtlJitter() {
		return this.ttlJitter;
	}

	public void setTtlJitter(@Nullable Double ttlJitter) {
		this.ttlJitter = ttlJitter;
	}

	public @Nullable Duration getNullTtl() {
		return this.nullTtl;
	}

	public void setNullTtl(@Nullable Duration nullTtl) {
		this.nullTtl = nullTtl;
	}

	public @Nullable Boolean getAllowNullValues() {
		return this.allowNullValues;
	}

	public void setAllowNullValues(@Nullable Boolean allowNullValues) {
		this.allowNullValues = allowNullValues;
	}

	public @Nullable Long getMaximumSize() {
		return this.maximumSize;
	}

	public void setMaximumSize(@Nullable Long maximumSize) {
		this.maximumSize = maximumSize;
	}

	public @Nullable DataSize getMaximumWeight() {
		return this.maximumWeight;
	}

	public void setMaximumWeight(@Nullable DataSize maximumWeight) {
		this.maximumWeight = maximumWeight;
	}

	public @Nullable Double getHotRatio() {
		return this.hotRatio;
	}

	public void setHotRatio(@Nullable Double hotRatio) {
		this.hotRatio = hotRatio;
	}

	public @Nullable Duration getHotTtl() {
		return this.hotTtl;
	}

	public void setHotTtl(@Nullable Duration hotTtl) {
		this.hotTtl = hotTtl;
	}

	public @Nullable Duration getRefreshAfter() {
		return this.refreshAfter;
	}

	public void setRefreshAfter(@Nullable Duration refreshAfter) {
		this.refreshAfter = refreshAfter;
	}

	TierCacheConfiguration applyTo(TierCacheConfiguration base, String prefix) {
		TierCacheConfiguration config = base;
		config = apply(config, prefix + ".ttl", this.ttl, TierCacheConfiguration::withTtl);
		config = apply(config, prefix + ".ttl-jitter", this.ttlJitter, TierCacheConfiguration::withTtlJitter);
		config = apply(config, prefix + ".null-ttl", this.nullTtl, TierCacheConfiguration::withNullTtl);
		config = apply(config, prefix + ".allow-null-values", this.allowNullValues,
				TierCacheConfiguration::withAllowNullValues);
		config = apply(config, prefix + ".maximum-size", this.maximumSize, TierCacheConfiguration::withMaximumSize);
		config = apply(config, prefix + ".maximum-weight", this.maximumWeight,
				(c, size) -> c.withMaximumWeight(size.toBytes()));
		config = apply(config, prefix + ".hot-ratio", this.hotRatio, TierCacheConfiguration::withHotRatio);
		config = apply(config, prefix + ".hot-ttl", this.hotTtl, TierCacheConfiguration::withHotTtl);
		config = apply(config, prefix + ".refresh-after", this.refreshAfter, TierCacheConfiguration::withRefreshAfter);
		try {
			return config.validate();
		}
		catch (IllegalArgumentException ex) {
			// Name the setting of this spec that made the combination invalid.
			boolean ttlSetHere = this.ttl != null && this.refreshAfter == null;
			throw new InvalidConfigurationPropertyValueException(prefix + (ttlSetHere ? ".ttl" : ".refresh-after"),
					ttlSetHere ? config.getTtl() : config.getRefreshAfter(), ex.getMessage());
		}
	}

	private static <T> TierCacheConfiguration apply(TierCacheConfiguration config, String property, @Nullable T value,
			BiFunction<TierCacheConfiguration, T, TierCacheConfiguration> wither) {
		if (value == null) {
			return config;
		}
		try {
			return wither.apply(config, value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(property, value, ex.getMessage());
		}
	}

}
