package dev.tiercache.autoconfigure.metrics;

import dev.tiercache.TierCache;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Lets Spring Boot bind every {@link TierCache} to the meter registry.
 *
 * @author tiercache
 */
public class TierCacheMeterBinderProvider implements CacheMeterBinderProvider<TierCache> {

	@Override
	public MeterBinder getMeterBinder(TierCache cache, Iterable<Tag> tags) {
		return new TierCacheMetrics(cache, tags);
	}

}
