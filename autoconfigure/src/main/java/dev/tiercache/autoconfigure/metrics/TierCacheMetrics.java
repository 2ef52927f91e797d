package dev.tiercache.autoconfigure.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.tiercache.TierCache;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Meters of one {@link TierCache}: Micrometer's standard cache meters
 * ({@code cache.gets{result=hit|miss}}, {@code cache.puts}, {@code cache.evictions},
 * {@code cache.size}) and the tier meters under {@code tiercache.*}. Every meter reads
 * the cache's counters when the registry asks; nothing is recorded on the hit path beyond
 * the cache's own striped counters.
 *
 * @author tiercache
 */
public class TierCacheMetrics extends CacheMeterBinder<TierCache> {

	/**
	 * Create the meters of {@code cache}.
	 * @param cache the cache
	 * @param tags tags for every meter, in addition to {@code cache}
	 */
	public TierCacheMetrics(TierCache cache, Iterable<Tag> tags) {
		super(cache, cache.getName(), tags);
	}

	@Override
	protected @Nullable Long size() {
		TierCache cache = getCache();
		return (cache != null) ? cache.getLocalTier().mainSize() + cache.getLocalTier().hotSize() : null;
	}

	@Override
	protected long hitCount() {
		return stats().hitCount();
	}

	@Override
	protected Long missCount() {
		return stats().missCount();
	}

	@Override
	protected Long evictionCount() {
		return stats().count(Counter.EVICTIONS);
	}

	@Override
	protected long putCount() {
		return stats().count(Counter.PUTS);
	}

	@Override
	protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
		TierCache cache = getCache();
		if (cache == null) {
			return;
		}
		counter(registry, cache, "tiercache.hits", "Reads answered by a tier", Counter.MAIN_HITS, "tier", "main");
		counter(registry, cache, "tiercache.hits", "Reads answered by a tier", Counter.HOT_HITS, "tier", "hot");
		counter(registry, cache, "tiercache.hits", "Reads answered by a tier", Counter.REMOTE_HITS, "tier", "remote");
		counter(registry, cache, "tiercache.loads", "Loaders run by this node", Counter.LOADS, "result", "success");
		counter(registry, cache, "tiercache.loads", "Loaders run by this node", Counter.LOAD_FAILURES, "result",
				"failure");
		counter(registry, cache, "tiercache.refreshes", "Refreshes ahead of expiry run by this node", Counter.REFRESHES,
				"result", "success");
		counter(registry, cache, "tiercache.refreshes", "Refreshes ahead of expiry run by this node",
				Counter.REFRESH_FAILURES, "result", "failure");
		counter(registry, cache, "tiercache.loads.deduplicated", "Callers that waited for a load under way",
				Counter.LOADS_DEDUPLICATED);
		counter(registry, cache, "tiercache.removals", "Entries removed by evict or clear", Counter.REMOVALS);
		counter(registry, cache, "tiercache.lease.waits", "Callers that waited for another node's load lease",
				Counter.LEASE_WAITS);
		counter(registry, cache, "tiercache.server.requests", "Requests this node answered for peers",
				Counter.SERVER_REQUESTS);
		counter(registry, cache, "tiercache.peer.errors", "Peer requests that failed or timed out",
				Counter.PEER_ERRORS);
		counter(registry, cache, "tiercache.redis.errors", "Redis commands that failed", Counter.REDIS_ERRORS);
		counter(registry, cache, "tiercache.invalidations", "Invalidations sent and received",
				Counter.INVALIDATIONS_SENT, "direction", "sent");
		counter(registry, cache, "tiercache.invalidations", "Invalidations sent and received",
				Counter.INVALIDATIONS_RECEIVED, "direction", "received");
		counter(registry, cache, "tiercache.handoff.entries", "Entries taken over from their previous owner",
				Counter.HANDOFF_ENTRIES);
		counter(registry, cache, "tiercache.rejected",
				"Payloads refused by the codec or the protocol, and keys or values cached on this node only",
				Counter.REJECTED_PAYLOADS);
		counter(registry, cache, "tiercache.key.collisions",
				"Remote reads that found the entry of another key with the same name, and missed",
				Counter.KEY_COLLISIONS);
		timer(registry, cache, "tiercache.remote.fetch.duration",
				"Time of reads from the remote tier that neither waited for a lease nor ran a loader",
				Counter.REMOTE_FETCHES, Counter.REMOTE_FETCH_NANOS);
		timer(registry, cache, "tiercache.remote.write.duration",
				"Time of writes to the remote tier until the other nodes confirmed the invalidation",
				Counter.REMOTE_WRITES, Counter.REMOTE_WRITE_NANOS);
		if (cache.getConfiguration().getMaximumWeight() > 0) {
			weight(registry, cache, "main", (c) -> c.getLocalTier().mainWeight());
			weight(registry, cache, "hot", (c) -> c.getLocalTier().hotWeight());
		}
		Gauge.builder("tiercache.size", cache, (c) -> c.getLocalTier().mainSize())
			.tags(getTagsWithCacheName())
			.tag("tier", "main")
			.description("Entries in a local tier")
			.register(registry);
		Gauge.builder("tiercache.size", cache, (c) -> c.getLocalTier().hotSize())
			.tags(getTagsWithCacheName())
			.tag("tier", "hot")
			.description("Entries in a local tier")
			.register(registry);
		FunctionTimer
			.builder("tiercache.load.duration", cache,
					(c) -> c.getStats().count(Counter.LOADS) + c.getStats().count(Counter.LOAD_FAILURES),
					(c) -> c.getStats().totalLoadTimeNanos(), TimeUnit.NANOSECONDS)
			.tags(getTagsWithCacheName())
			.description("Time spent in loaders run by this node")
			.register(registry);
	}

	private void timer(MeterRegistry registry, TierCache cache, String name, String description, Counter count,
			Counter nanos) {
		FunctionTimer
			.builder(name, cache, (c) -> c.getStats().count(count), (c) -> c.getStats().count(nanos),
					TimeUnit.NANOSECONDS)
			.tags(getTagsWithCacheName())
			.description(description)
			.register(registry);
	}

	private void weight(MeterRegistry registry, TierCache cache, String tier, ToDoubleFunction<TierCache> weight) {
		Gauge.builder("tiercache.weight", cache, weight)
			.tags(getTagsWithCacheName())
			.tag("tier", tier)
			.baseUnit(BaseUnits.BYTES)
			.description("Estimated size of a local tier's entries (caches bounded by maximum-weight)")
			.register(registry);
	}

	private void counter(MeterRegistry registry, TierCache cache, String name, String description, Counter counter,
			String... tags) {
		FunctionCounter.builder(name, cache, (c) -> c.getStats().count(counter))
			.tags(getTagsWithCacheName())
			.tags(tags)
			.description(description)
			.register(registry);
	}

	private CacheStats stats() {
		TierCache cache = getCache();
		return (cache != null) ? cache.getStats() : EMPTY;
	}

	private static final CacheStats EMPTY = dev.tiercache.stats.StatsCounter.disabled().snapshot();

}
