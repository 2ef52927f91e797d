package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.remote.peers.Discovery;
import dev.tiercache.remote.redis.RedisTierSettings.ClientTracking;
import dev.tiercache.remote.redis.RedisTierSettings.OnOutage;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.unit.DataSize;

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
	private final CacheSpec defaults = new CacheSpec();

	/**
	 * Settings of individual caches, by cache name, created at start-up. A setting left
	 * out is taken from 'tiercache.defaults'.
	 */
	private Map<String, CacheSpec> caches = new LinkedHashMap<>();

	private final Stats stats = new Stats();

	private final Cluster cluster = new Cluster();

	private final Redis redis = new Redis();

	private final Serialization serialization = new Serialization();

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

	public Stats getStats() {
		return this.stats;
	}

	public Cluster getCluster() {
		return this.cluster;
	}

	public Redis getRedis() {
		return this.redis;
	}

	public Serialization getSerialization() {
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
	 * Statistics settings.
	 */
	public static class Stats {

		/**
		 * How often to log one line of statistics per cache, such as 1m; 0 turns the log
		 * off.
		 */
		private Duration logInterval = Duration.ZERO;

		public Duration getLogInterval() {
			return this.logInterval;
		}

		public void setLogInterval(Duration logInterval) {
			this.logInterval = logInterval;
		}

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
	 * Peers mode settings: how the application's instances find and talk to each other.
	 */
	public static class Cluster {

		/**
		 * Name of the cluster; instances with the same name form one cache. Empty means
		 * 'spring.application.name', or else 'tiercache:' and the application's package.
		 */
		private String name = "";

		/**
		 * Address to listen on. Empty means 127.0.0.1 with 'loopback' discovery and the
		 * first non-loopback address otherwise; JGroups keywords such as 'SITE_LOCAL' or
		 * 'match-interface:eth.*' work too.
		 */
		private String bindAddress = "";

		/**
		 * First TCP port to listen on; when it is taken the next 'port-range' ports are
		 * tried.
		 */
		private int port = 7800;

		/**
		 * How many ports above 'port' to try, and (with 'loopback' discovery) to probe
		 * for other members, so that several instances can share a machine.
		 */
		private int portRange = 10;

		/**
		 * How members find each other: 'loopback' (instances on this machine), 'static'
		 * (the 'members' list), 'dns' (every address of 'dns-query', such as a Kubernetes
		 * headless service), 'kubernetes' (the Kubernetes API; needs
		 * org.jgroups.kubernetes:jgroups-kubernetes) or 'stack' (the JGroups XML named by
		 * 'stack').
		 */
		private Discovery discovery = Discovery.LOOPBACK;

		/**
		 * Members to contact with 'static' discovery, as host[port], such as
		 * 'app-1[7800]'.
		 */
		private List<String> members = new ArrayList<>();

		/**
		 * DNS name that resolves to the address of every member, for 'dns' discovery,
		 * such as 'books-peers.default.svc.cluster.local'.
		 */
		private String dnsQuery = "";

		/**
		 * JGroups XML configuration for 'stack' discovery, as a resource location such as
		 * 'classpath:jgroups.xml'.
		 */
		private String stack = "";

		/**
		 * Shared secret of the cluster. When set, every message is encrypted with a key
		 * derived from it, and a member with another secret can neither join nor read.
		 * Empty means no encryption; set it whenever the network is shared.
		 */
		private String secret = "";

		/**
		 * How long a node waits for a key's owner to answer before loading the value
		 * itself and keeping it in the hot tier only.
		 */
		private Duration rpcTimeout = Duration.ofMillis(250);

		/**
		 * How long the node loading a key holds its lease; other nodes asking for the key
		 * wait for the load, and take over after this if the loader died.
		 */
		private Duration leaseTimeout = Duration.ofSeconds(10);

		public String getName() {
			return this.name;
		}

		public void setName(String name) {
			this.name = name;
		}

		public String getBindAddress() {
			return this.bindAddress;
		}

		public void setBindAddress(String bindAddress) {
			this.bindAddress = bindAddress;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public int getPortRange() {
			return this.portRange;
		}

		public void setPortRange(int portRange) {
			this.portRange = portRange;
		}

		public Discovery getDiscovery() {
			return this.discovery;
		}

		public void setDiscovery(Discovery discovery) {
			this.discovery = discovery;
		}

		public List<String> getMembers() {
			return this.members;
		}

		public void setMembers(List<String> members) {
			this.members = members;
		}

		public String getDnsQuery() {
			return this.dnsQuery;
		}

		public void setDnsQuery(String dnsQuery) {
			this.dnsQuery = dnsQuery;
		}

		public String getStack() {
			return this.stack;
		}

		public void setStack(String stack) {
			this.stack = stack;
		}

		public String getSecret() {
			return this.secret;
		}

		public void setSecret(String secret) {
			this.secret = secret;
		}

		public Duration getRpcTimeout() {
			return this.rpcTimeout;
		}

		public void setRpcTimeout(Duration rpcTimeout) {
			this.rpcTimeout = rpcTimeout;
		}

		public Duration getLeaseTimeout() {
			return this.leaseTimeout;
		}

		public void setLeaseTimeout(Duration leaseTimeout) {
			this.leaseTimeout = leaseTimeout;
		}

	}

	/**
	 * Redis mode settings. The connection itself is Spring Boot's, from
	 * 'spring.data.redis.*'.
	 */
	public static class Redis {

		/**
		 * Prefix of every key and channel tiercache uses in Redis.
		 */
		private String keyPrefix = "tiercache:";

		/**
		 * How long a node may hold the lease to load a key; waiters on other nodes take
		 * over after it, so a dead loader blocks no one longer.
		 */
		private Duration leaseTimeout = Duration.ofSeconds(10);

		/**
		 * How long a write waits for the other nodes to confirm that they dropped their
		 * hot copies; 0 does not wait.
		 */
		private Duration invalidationTimeout = Duration.ofMillis(250);

		/**
		 * How often each node checks its invalidation subscription with a heartbeat.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(1);

		/**
		 * Whether a read restarts an entry's time to live in Redis (sliding expiry).
		 */
		private boolean timeToIdle = false;

		/**
		 * Consecutive Redis failures after which tiercache stops sending commands for
		 * 'retry-interval' and runs on the local tier.
		 */
		private int failureThreshold = 3;

		/**
		 * How long tiercache waits before trying a failing Redis again.
		 */
		private Duration retryInterval = Duration.ofSeconds(1);

		/**
		 * Whether Redis tells each node of every change of its keys (server-assisted
		 * client-side caching, 'CLIENT TRACKING ... BCAST PREFIX key-prefix' over RESP3),
		 * so that hot copies also drop on writes by other clients, expiry, eviction and
		 * FLUSHALL: 'off', 'auto' (where the server and topology allow it, else log once
		 * and run without) or 'on' (fail start-up where it is not available). Not on
		 * Redis Cluster, and not with time-to-idle.
		 */
		private ClientTracking clientTracking = ClientTracking.OFF;

		/**
		 * What hot copies do while this node cannot hear invalidations (Redis does not
		 * answer, or the invalidation subscription is silent or not yet confirmed after
		 * an outage): 'serve-hot' keeps serving them (each at most hot-ttl old; a write
		 * on another node meanwhile may be masked until Redis is back), 'drop-hot' drops
		 * them when the outage is noticed and admits none until Redis answers again, so
		 * every read goes to the loader meanwhile.
		 */
		private OnOutage onOutage = OnOutage.SERVE_HOT;

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public Duration getLeaseTimeout() {
			return this.leaseTimeout;
		}

		public void setLeaseTimeout(Duration leaseTimeout) {
			this.leaseTimeout = leaseTimeout;
		}

		public Duration getInvalidationTimeout() {
			return this.invalidationTimeout;
		}

		public void setInvalidationTimeout(Duration invalidationTimeout) {
			this.invalidationTimeout = invalidationTimeout;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public boolean isTimeToIdle() {
			return this.timeToIdle;
		}

		public void setTimeToIdle(boolean timeToIdle) {
			this.timeToIdle = timeToIdle;
		}

		public int getFailureThreshold() {
			return this.failureThreshold;
		}

		public void setFailureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
		}

		public Duration getRetryInterval() {
			return this.retryInterval;
		}

		public void setRetryInterval(Duration retryInterval) {
			this.retryInterval = retryInterval;
		}

		public ClientTracking getClientTracking() {
			return this.clientTracking;
		}

		public void setClientTracking(ClientTracking clientTracking) {
			this.clientTracking = clientTracking;
		}

		public OnOutage getOnOutage() {
			return this.onOutage;
		}

		public void setOnOutage(OnOutage onOutage) {
			this.onOutage = onOutage;
		}

	}

	/**
	 * How keys and values are serialized for the remote modes.
	 */
	public static class Serialization {

		/**
		 * Packages whose classes may be deserialized, in addition to the JDK's value
		 * types ('java.*'), Spring's cache key and Spring Data's paging types, and the
		 * application's own packages (those of its '@SpringBootApplication'). Anything
		 * else is refused and counted. A single-segment package such as 'com' is refused:
		 * name your own, such as 'com.example.books'.
		 */
		private List<String> allowedPackages = new ArrayList<>();

		/**
		 * How keys and values are written: 'java' (Java serialization; values must be
		 * Serializable), 'json' (Jackson 3 with the application's JsonMapper; needs
		 * spring-boot-starter-jackson) or 'kryo' (compact binary; needs
		 * com.esotericsoftware:kryo). Every node of a cluster must use the same codec. A
		 * ValueCodec bean of the application replaces the codec chosen here.
		 */
		private Codec codec = Codec.JAVA;

		/**
		 * Compression of large payloads: 'none', or 'lz4' (needs at.yawk.lz4:lz4-java).
		 * Every node of a cluster must use the same setting.
		 */
		private Compression compression = Compression.NONE;

		/**
		 * Smallest payload that is compressed, when compression is on.
		 */
		private DataSize compressionThreshold = DataSize.ofKilobytes(4);

		public List<String> getAllowedPackages() {
			return this.allowedPackages;
		}

		public void setAllowedPackages(List<String> allowedPackages) {
			this.allowedPackages = allowedPackages;
		}

		public Codec getCodec() {
			return this.codec;
		}

		public void setCodec(Codec codec) {
			this.codec = codec;
		}

		public Compression getCompression() {
			return this.compression;
		}

		public void setCompression(Compression compression) {
			this.compression = compression;
		}

		public DataSize getCompressionThreshold() {
			return this.compressionThreshold;
		}

		public void setCompressionThreshold(DataSize compressionThreshold) {
			this.compressionThreshold = compressionThreshold;
		}

		/**
		 * How keys and values are written.
		 */
		public enum Codec {

			/**
			 * Java serialization behind the allow-list.
			 */
			JAVA,

			/**
			 * JSON on Jackson 3, type information behind the allow-list.
			 */
			JSON,

			/**
			 * Kryo 5 binary, class names behind the allow-list.
			 */
			KRYO

		}

		/**
		 * Compression of large payloads.
		 */
		public enum Compression {

			/**
			 * No compression.
			 */
			NONE,

			/**
			 * LZ4 above 'compression-threshold'.
			 */
			LZ4

		}

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

	/**
	 * Settings of one cache; a {@code null} setting is not set and is inherited.
	 */
	public static class CacheSpec {

		/**
		 * Time to live of an entry after it is written; 0 means entries never expire.
		 */
		private @Nullable Duration ttl;

		/**
		 * Largest random fraction by which a time to live is shortened, so that entries
		 * written together do not expire together. From 0 (no jitter) up to, but
		 * excluding, 1.
		 */
		private @Nullable Double ttlJitter;

		/**
		 * Time to live of a cached null result, which shields the backing store from
		 * repeated lookups of missing rows.
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
		 * Largest estimated size of the cache's entries, such as 64MB; when set it bounds
		 * the cache instead of 'maximum-size'. 0 means not set.
		 */
		private @Nullable DataSize maximumWeight;

		/**
		 * Share of the cache's size for the hot tier (local copies of entries stored
		 * elsewhere), from 0 (no hot tier) up to, but excluding, 1. Used by the remote
		 * modes.
		 */
		private @Nullable Double hotRatio;

		/**
		 * Longest time a hot copy lives, which bounds staleness when an invalidation is
		 * lost. Used by the remote modes.
		 */
		private @Nullable Duration hotTtl;

		/**
		 * Age after which a read with a loader ('@Cacheable(sync = true)', a method
		 * returning CompletableFuture or a reactive type, or every eligible '@Cacheable'
		 * with 'tiercache.single-flight=always') refreshes an entry: it returns the
		 * current value at once and reloads it in the background with that read's method,
		 * once in the whole cluster. Must be shorter than 'ttl'; a failed refresh leaves
		 * the old value until 'ttl'. 0 turns refreshing off.
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
			config = apply(config, prefix + ".refresh-after", this.refreshAfter,
					TierCacheConfiguration::withRefreshAfter);
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

		private static <T> TierCacheConfiguration apply(TierCacheConfiguration config, String property,
				@Nullable T value, BiFunction<TierCacheConfiguration, T, TierCacheConfiguration> wither) {
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

}
