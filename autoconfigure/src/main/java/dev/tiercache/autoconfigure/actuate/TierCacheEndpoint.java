package dev.tiercache.autoconfigure.actuate;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.Counter;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code tiercache} actuator endpoint: the mode, this node, the members and their
 * share of the keys, and every cache's settings, statistics and sizes; for one key, its
 * owner and where it is cached; and cluster-wide eviction of a key or a whole cache.
 * Deleting follows Spring Boot's endpoint access settings
 * ({@code management.endpoint.tiercache.access}).
 *
 * @author tiercache
 */
@Endpoint(id = "tiercache")
public class TierCacheEndpoint {

	private final TierCacheManager cacheManager;

	private final ClusterView clusterView;

	public TierCacheEndpoint(TierCacheManager cacheManager, ClusterView clusterView) {
		this.cacheManager = cacheManager;
		this.clusterView = clusterView;
	}

	@ReadOperation
	public TierCacheDescriptor tiercache() {
		Map<String, CacheDescriptor> caches = new TreeMap<>();
		for (String name : this.cacheManager.getCacheNames()) {
			caches.put(name, describe(this.cacheManager.getCache(name)));
		}
		List<MemberDescriptor> members = this.clusterView.members()
			.stream()
			.map((member) -> new MemberDescriptor(member.name(), member.address(), member.share()))
			.toList();
		return new TierCacheDescriptor(this.clusterView.mode(), this.clusterView.localMember(), members, caches);
	}

	@ReadOperation
	public @Nullable KeyDescriptor key(@Selector String cache, @Selector String key) {
		TierCache tierCache = existing(cache);
		if (tierCache == null) {
			return null;
		}
		List<KeyLocation> locations = tierCache.keysNamed(key)
			.stream()
			.map((candidate) -> new KeyLocation(candidate.getClass().getName(),
					this.clusterView.ownerOf(cache, candidate), tierCache.whereCached(candidate)))
			.toList();
		return new KeyDescriptor(cache, key, this.clusterView.localMember(), locations);
	}

	@DeleteOperation
	public @Nullable EvictionDescriptor evictKey(@Selector String cache, @Selector String key) {
		TierCache tierCache = existing(cache);
		if (tierCache == null) {
			return null;
		}
		boolean removed = false;
		for (Object candidate : tierCache.keysNamed(key)) {
			removed |= tierCache.evictIfPresent(candidate);
		}
		return new EvictionDescriptor(cache, key, removed);
	}

	@DeleteOperation
	public @Nullable EvictionDescriptor clearCache(@Selector String cache) {
		TierCache tierCache = existing(cache);
		if (tierCache == null) {
			return null;
		}
		return new EvictionDescriptor(cache, null, tierCache.invalidate());
	}

	/**
	 * Return the cache {@code name} if it exists, without creating it.
	 */
	private @Nullable TierCache existing(String name) {
		return this.cacheManager.getCacheNames().contains(name) ? this.cacheManager.getCache(name) : null;
	}

	private static CacheDescriptor describe(TierCache cache) {
		TierCacheConfiguration configuration = cache.getConfiguration();
		Map<String, Object> settings = new LinkedHashMap<>();
		settings.put("ttl", text(configuration.getTtl()));
		settings.put("ttlJitter", configuration.getTtlJitter());
		settings.put("nullTtl", text(configuration.getNullTtl()));
		settings.put("allowNullValues", configuration.isAllowNullValues());
		settings.put("maximumSize", configuration.getMaximumSize());
		settings.put("maximumWeight", configuration.getMaximumWeight());
		settings.put("hotRatio", configuration.getHotRatio());
		settings.put("hotTtl", text(configuration.getHotTtl()));
		settings.put("refreshAfter", text(configuration.getRefreshAfter()));
		CacheStats stats = cache.getStats();
		Map<String, Long> counts = new LinkedHashMap<>();
		stats.asMap().forEach((counter, count) -> counts.put(camelCase(counter), count));
		counts.put("totalLoadTimeNanos", stats.totalLoadTimeNanos());
		return new CacheDescriptor(settings, counts, stats.hitRatio(), cache.getLocalTier().mainSize(),
				cache.getLocalTier().hotSize());
	}

	private static String text(Duration duration) {
		return duration.toString();
	}

	private static String camelCase(Counter counter) {
		StringBuilder name = new StringBuilder();
		for (String word : counter.name().toLowerCase(Locale.ROOT).split("_")) {
			name.append(name.isEmpty() ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
		}
		return name.toString();
	}

	/**
	 * The whole picture: mode, this node, the members and the caches.
	 *
	 * @param mode the mode
	 * @param node this node's name
	 * @param members the members with their share of the keys
	 * @param caches every cache by name
	 */
	public record TierCacheDescriptor(String mode, String node, List<MemberDescriptor> members,
			Map<String, CacheDescriptor> caches) implements OperationResponseBody {
	}

	/**
	 * A member of the cluster.
	 *
	 * @param name its name
	 * @param address its address, if it has one
	 * @param share the fraction of keys it owns
	 */
	public record MemberDescriptor(String name, @Nullable String address, double share) {
	}

	/**
	 * One cache.
	 *
	 * @param settings its configuration
	 * @param stats its counters since start-up
	 * @param hitRatio hits divided by reads
	 * @param mainSize entries in main
	 * @param hotSize entries in hot
	 */
	public record CacheDescriptor(Map<String, Object> settings, Map<String, Long> stats, double hitRatio, long mainSize,
			long hotSize) {
	}

	/**
	 * Where the keys named by some text are.
	 *
	 * @param cache the cache name
	 * @param key the key as given
	 * @param node the node that answered
	 * @param keys one location per cached key whose string form is {@code key}
	 */
	public record KeyDescriptor(String cache, String key, String node,
			List<KeyLocation> keys) implements OperationResponseBody {
	}

	/**
	 * Where one key is.
	 *
	 * @param type the key's class
	 * @param owner the member that owns it
	 * @param cachedIn the tiers of the answering node that hold it
	 */
	public record KeyLocation(String type, String owner, List<String> cachedIn) {
	}

	/**
	 * The result of an eviction.
	 *
	 * @param cache the cache name
	 * @param key the key as given, or {@code null} for the whole cache
	 * @param removed whether anything was there to remove on this node
	 */
	public record EvictionDescriptor(String cache, @Nullable String key,
			boolean removed) implements OperationResponseBody {
	}

}
