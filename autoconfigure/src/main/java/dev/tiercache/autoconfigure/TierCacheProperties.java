package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.tiercache.TierCacheConfiguration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Configuration properties of tiercache. Unknown properties under {@code tiercache} fail
 * the start-up, so a misspelt setting is reported instead of silently ignored.
 *
 * @author tiercache
 */
@ConfigurationProperties(prefix = "tiercache", ignoreUnknownFields = false)
public class TierCacheProperties {

	/**
	 * Whether tiercache provides the application's cache manager when caching is enabled.
	 */
	private boolean enabled = true;

	/**
	 * Where the authoritative copy of an entry lives: 'local' keeps every entry in this
	 * JVM's Caffeine tier, with no network; 'peers' shares the entries among the
	 * application's instances (found with JGroups, see 'tiercache.cluster'), each owning
	 * a part of the keys; 'redis' keeps it in Redis (configured with
	 * 'spring.data.redis.*') with a hot copy on each node.
	 */
	private Mode mode = Mode.LOCAL;

	/**
	 * Which '@Cacheable' methods load with single-flight (concurrent misses of one key
	 * run the method once): 'sync-only' for those declaring 'sync = true', as Spring
	 * does, or 'always' for every '@Cacheable' that Spring allows to be synchronized (one
	 * cache, no 'unless', no other cache annotation on the method).
	 */
	private SingleFlight singleFlight = SingleFlight.SYNC_ONLY;

	/**
	 * Name of this node in statistics, the actuator endpoint and (in peers mode) the
	 * cluster. Empty means the host name and the server port, such as 'web-1:8080'.
	 */
	private String nodeName = "";

	/**
	 * Whether a cache that is not configured is created with the defaults on first use.
	 * When false, asking for an unknown cache fails with a message listing the configured
	 * ones.
	 */
	private boolean dynamic = true;

	/**
	 * Caches to create at start-up with the default settings, in addition to those under
	 * 'tiercache.caches'.
	 */
	private List<String> cacheNames = new ArrayList<>();

	/**
	 * Most platform threads for asynchronous remote work (fetches, loads and lease waits
	 * of methods returning CompletableFuture or a reactive type); when all are busy, the
	 * calling thread runs the work itself. Not used with virtual threads
	 * ('spring.threads.virtual.enabled=true' on Java 21 or later), which are not pooled.
	 */
	private int remoteThreads = 64;

	/**
	 * Settings of every cache, unless overridden under 'tiercache.caches'. A setting left
	 * out keeps tiercache's default.
	 */
	@NestedConfigurationProperty
	private final CacheSpec defaults = new CacheSpec();

	/**
	 * Settings of individual caches, by cache name, created at start-up. A setting left
	 * out is taken from 'tiercache.defaults'.
	 */
	private Map<String, CacheSpec> caches = new LinkedHashMap<>();

	@NestedConfigurationProperty
	private final TierCacheStatsProperties stats = new TierCacheStatsProperties();

	@NestedConfigurationProperty
	private final TierCacheClusterProperties cluster = new TierCacheClusterProperties();

	@NestedConfigurationProperty
	private final TierCacheRedisProperties redis = new TierCacheRedisProperties();

	@NestedConfigurationProperty
	private final TierCacheSerializationProperties serialization = new TierCacheSerializationProperties();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Mode getMode() {
		return this.mode;
	}

	public void setMode(Mode mode) {
		this.mode = mode;
	}

	public SingleFlight getSingleFlight() {
		return this.singleFlight;
	}

	public void setSingleFlight(SingleFlight singleFlight) {
		this.singleFlight = singleFlight;
	}

	public String getNodeName() {
		return this.nodeName;
	}

	public void setNodeName(String nodeName) {
		this.nodeName = nodeName;
	}

	public TierCacheStatsProperties getStats() {
		return this.stats;
	}

	public TierCacheClusterProperties getCluster() {
		return this.cluster;
	}

	public TierCacheRedisProperties getRedis() {
		return this.redis;
	}

	public TierCacheSerializationProperties getSerialization() {
		return this.serialization;
	}

	public int getRemoteThreads() {
		return this.remoteThreads;
	}

	public void setRemoteThreads(int remoteThreads) {
		this.remoteThreads = remoteThreads;
	}

	public boolean isDynamic() {
		return this.dynamic;
	}

	public void setDynamic(boolean dynamic) {
		this.dynamic = dynamic;
	}

	public List<String> getCacheNames() {
		return this.cacheNames;
	}

	public void setCacheNames(List<String> cacheNames) {
		this.cacheNames = cacheNames;
	}

	public CacheSpec getDefaults() {
		return this.defaults;
	}

	public Map<String, CacheSpec> getCaches() {
		return this.caches;
	}

	public void setCaches(Map<String, CacheSpec> caches) {
		this.caches = caches;
	}

	/**
	 * Return the configuration of caches without settings of their own: tiercache's
	 * defaults overridden by 'tiercache.defaults'.
	 * @return the default cache configuration
	 * @throws InvalidConfigurationPropertyValueException naming the first invalid setting
	 */
	TierCacheConfiguration defaultConfiguration() {
		return this.defaults.applyTo(TierCacheConfiguration.defaultCacheConfig(), "tiercache.defaults");
	}

	/**
	 * Return the configuration of every cache to create at start-up, by name.
	 * @return the cache configurations
	 * @throws InvalidConfigurationPropertyValueException naming the first invalid setting
	 */
	Map<String, TierCacheConfiguration> cacheConfigurations() {
		return cacheConfigurations(List.of());
	}

	/**
	 * Return the configuration of every cache to create at start-up, by name.
	 * @param springCacheNames the names in {@code spring.cache.cache-names}, created with
	 * the defaults unless configured under {@code tiercache.caches}
	 * @return the cache configurations
	 * @throws InvalidConfigurationPropertyValueException naming the first invalid setting
	 */
	Map<String, TierCacheConfiguration> cacheConfigurations(List<String> springCacheNames) {
		TierCacheConfiguration defaults = defaultConfiguration();
		Map<String, TierCacheConfiguration> configurations = new LinkedHashMap<>();
		springCacheNames.forEach((name) -> configurations.put(name, defaults));
		this.cacheNames.forEach((name) -> configurations.put(name, defaults));
		this.caches
			.forEach((name, spec) -> configurations.put(name, spec.applyTo(defaults, "tiercache.caches." + name)));
		return configurations;
	}

	/**
	 * Where the authoritative copy of an entry lives.
	 */
	public enum Mode {

		/**
		 * In this JVM only: the local Caffeine tier, no network.
		 */
		LOCAL,

		/**
		 * On the application's own instances, each owning a share of the keys.
		 */
		PEERS,

		/**
		 * In Redis, with a hot copy on each node.
		 */
		REDIS

	}

	/**
	 * Which {@code @Cacheable} methods load with single-flight.
	 */
	public enum SingleFlight {

		/**
		 * Only methods declaring {@code sync = true}, as Spring does.
		 */
		SYNC_ONLY,

		/**
		 * Every {@code @Cacheable} that Spring allows to be synchronized.
		 */
		ALWAYS

	}

}
