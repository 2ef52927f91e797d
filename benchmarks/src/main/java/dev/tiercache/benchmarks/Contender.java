package dev.tiercache.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tiercache.TestRedis;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.peers.PeersCluster;
import dev.tiercache.remote.peers.PeersRemoteTier;
import dev.tiercache.remote.redis.RedisRemoteTier;
import dev.tiercache.remote.redis.RedisTierSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A cache manager measured by the benchmarks, configured the way its users configure it,
 * with the same bounds and time to live as tiercache wherever it has them.
 *
 * @author tiercache
 */
public enum Contender {

	/** tiercache in local mode: one Caffeine main tier per cache. */
	TIERCACHE_LOCAL("tiercache-local", false),

	/** tiercache in peers mode: JGroups members on loopback own keys by hashing. */
	TIERCACHE_PEERS("tiercache-peers", false),

	/**
	 * tiercache in peers mode with node 0 in this JVM and every other node in a JVM of
	 * its own ({@link PeerProcess}), as an application runs: only node 0 can be read
	 * here.
	 */
	TIERCACHE_PEERS_PROCESSES("tiercache-peers-processes", false),

	/** tiercache in redis mode: Redis holds every entry, a near cache in front. */
	TIERCACHE_REDIS("tiercache-redis", true),

	/** Spring's {@code CaffeineCacheManager}, bounded and expiring like tiercache. */
	CAFFEINE("caffeine", false),

	/** Spring's {@code ConcurrentMapCacheManager}: no bounds, no expiry. */
	CONCURRENT_MAP("concurrent-map", false),

	/**
	 * Spring Data Redis' {@code RedisCacheManager} with its default, non-locking writer.
	 */
	REDIS("redis-cache-manager", true),

	/** Spring Data Redis' {@code RedisCacheManager} with its locking writer. */
	REDIS_LOCKING("redis-cache-manager-locking", true),

	/**
	 * {@code RedisCacheManager} with the default writer set to {@code immediateWrites()}:
	 * {@code put} and {@code evict} return once Redis has applied them (by default, with
	 * Lettuce, they return once sent).
	 */
	REDIS_IMMEDIATE("redis-cache-manager-immediate", true),

	/**
	 * {@code RedisCacheManager} with the locking writer and {@code immediateWrites()}.
	 */
	REDIS_LOCKING_IMMEDIATE("redis-cache-manager-locking-immediate", true);

	private static final AtomicInteger clusters = new AtomicInteger();

	private final String label;

	private final boolean needsRedis;

	Contender(String label, boolean needsRedis) {
		this.label = label;
		this.needsRedis = needsRedis;
	}

	/**
	 * Return the contender's name in tables and on command lines.
	 * @return the label, such as {@code tiercache-peers}
	 */
	public String label() {
		return this.label;
	}

	/**
	 * Return the contender with the given label.
	 * @param label a label, such as {@code caffeine}
	 * @return the contender
	 */
	public static Contender of(String label) {
		for (Contender contender : values()) {
			if (contender.label.equals(label)) {
				return contender;
			}
		}
		throw new IllegalArgumentException("Unknown contender '" + label + "'; use one of " + List.of(values()));
	}

	/**
	 * Start {@code count} nodes of this contender, each with a cache manager of its own.
	 * @param count how many nodes
	 * @param config tiercache's settings; the others get the same bound and TTL
	 * @param redis the Redis server, for the contenders that use one (flushed first)
	 * @return the nodes, to be closed
	 */
	public Nodes start(int count, TierCacheConfiguration config, @Nullable TestRedis redis) {
		if (this.needsRedis && redis == null) {
			throw new IllegalArgumentException(this.label + " needs a Redis server");
		}
		List<AutoCloseable> resources = new ArrayList<>();
		List<CacheManager> managers = new ArrayList<>();
		boolean fetchTransport = fetchTransport();
		List<PeersRemoteTier> peers = (this == TIERCACHE_PEERS)
				? PeersCluster.start("bench-" + clusters.incrementAndGet(), count,
						(settings) -> settings.withFetchTransport(fetchTransport))
				: List.of();
		resources.addAll(peers);
		if (redis != null && this.needsRedis) {
			flush(redis);
		}
		if (this == TIERCACHE_PEERS_PROCESSES) {
			managers.add(tiercache(config, peersInProcesses(count, config, fetchTransport, resources)));
			return new Nodes(this, managers, resources);
		}
		for (int i = 0; i < count; i++) {
			managers.add(switch (this) {
				case TIERCACHE_LOCAL -> tiercache(config, null);
				case TIERCACHE_PEERS -> tiercache(config, peers.get(i));
				case TIERCACHE_PEERS_PROCESSES -> throw new IllegalStateException("started above");
				case TIERCACHE_REDIS -> tiercache(config, RedisRemoteTier.start(connect(redis, resources), codec(),
						RedisTierSettings.defaults(), () -> this.label));
				case CAFFEINE -> caffeine(config);
				case CONCURRENT_MAP -> new ConcurrentMapCacheManager();
				case REDIS -> redis(config, RedisCacheWriter.nonLockingRedisCacheWriter(connect(redis, resources)));
				case REDIS_LOCKING ->
					redis(config, RedisCacheWriter.lockingRedisCacheWriter(connect(redis, resources)));
				case REDIS_IMMEDIATE -> redis(config,
						RedisCacheWriter.create(connect(redis, resources), (writer) -> writer.immediateWrites()));
				case REDIS_LOCKING_IMMEDIATE -> redis(config, RedisCacheWriter.create(connect(redis, resources),
						(writer) -> writer.enableLocking().immediateWrites()));
			});
		}
		return new Nodes(this, managers, resources);
	}

	@Override
	public String toString() {
		return this.label;
	}

	/**
	 * Start members 2 to {@code count} in JVMs of their own, then member 1 here, and wait
	 * until it sees them all.
	 * @return the member in this JVM
	 */
	private static PeersRemoteTier peersInProcesses(int count, TierCacheConfiguration config, boolean fetchTransport,
			List<AutoCloseable> resources) {
		String cluster = "bench-" + clusters.incrementAndGet();
		int basePort = PeersCluster.freePortRange(count + 3);
		try {
			for (int index = 2; index <= count; index++) {
				resources.add(PeerProcess.start(cluster, basePort, index, count, config, fetchTransport));
			}
			PeersRemoteTier member = PeersRemoteTier
				.create(PeersCluster.settings(cluster, basePort, 1, count).withFetchTransport(fetchTransport), codec());
			resources.add(member);
			member.start();
			PeersCluster.awaitMembers(List.of(member), count);
			return member;
		}
		catch (IOException | RuntimeException ex) {
			// No child JVM outlives a start that failed.
			new Nodes(TIERCACHE_PEERS_PROCESSES, List.of(), resources).close();
			throw (ex instanceof IOException io) ? new UncheckedIOException(io) : (RuntimeException) ex;
		}
	}

	/**
	 * Return whether peers read through the fetch transport: yes, unless
	 * {@code -Dtiercache.benchmarks.fetch-transport=false}, with which they read through
	 * JGroups as before it.
	 * @return whether the transport is on
	 */
	public static boolean fetchTransport() {
		return Boolean.parseBoolean(System.getProperty("tiercache.benchmarks.fetch-transport", "true"));
	}

	private static TierCacheManager tiercache(TierCacheConfiguration config, @Nullable RemoteTier remote) {
		TierCacheManager.Builder builder = TierCacheManager.builder().cacheDefaults(config);
		if (remote != null) {
			builder.remoteTier(remote);
		}
		return builder.build();
	}

	private static CaffeineCacheManager caffeine(TierCacheConfiguration config) {
		CaffeineCacheManager manager = new CaffeineCacheManager();
		Caffeine<Object, Object> caffeine = Caffeine.newBuilder().maximumSize(config.getMaximumSize());
		if (!config.getTtl().isZero()) {
			caffeine.expireAfterWrite(config.getTtl());
		}
		manager.setCaffeine(caffeine);
		return manager;
	}

	private static RedisCacheManager redis(TierCacheConfiguration config, RedisCacheWriter writer) {
		RedisCacheManager manager = RedisCacheManager.builder(writer)
			.cacheDefaults(RedisCacheConfiguration.defaultCacheConfig().entryTtl(config.getTtl()))
			.build();
		manager.afterPropertiesSet();
		return manager;
	}

	/**
	 * Return tiercache's codec, allowing the benchmarks' own values.
	 * @return the codec
	 */
	public static ValueCodec codec() {
		return ValueCodec.java(AllowList.of(List.of("dev.tiercache")));
	}

	private static LettuceConnectionFactory connect(@Nullable TestRedis redis, List<AutoCloseable> resources) {
		LettuceConnectionFactory factory = redis.connectionFactory();
		resources.add(factory::destroy);
		return factory;
	}

	private static void flush(TestRedis redis) {
		LettuceConnectionFactory factory = redis.connectionFactory();
		try (RedisConnection connection = factory.getConnection()) {
			connection.serverCommands().flushAll();
		}
		finally {
			factory.destroy();
		}
	}

	/**
	 * The nodes of one contender, each with its own cache manager (and, in the remote
	 * modes, its own peer or Redis connection).
	 */
	public static final class Nodes implements AutoCloseable {

		private final Contender contender;

		private final List<CacheManager> managers;

		private final List<AutoCloseable> resources;

		Nodes(Contender contender, List<CacheManager> managers, List<AutoCloseable> resources) {
			this.contender = contender;
			this.managers = managers;
			this.resources = resources;
		}

		/**
		 * Return who these nodes are.
		 * @return the contender
		 */
		public Contender contender() {
			return this.contender;
		}

		/**
		 * Return how many nodes there are.
		 * @return the count
		 */
		public int size() {
			return this.managers.size();
		}

		/**
		 * Return the cache manager of node {@code index}.
		 * @param index from 0
		 * @return the manager
		 */
		public CacheManager manager(int index) {
			return this.managers.get(index);
		}

		/**
		 * Return the named cache of node {@code index}.
		 * @param index from 0
		 * @param name the cache's name
		 * @return the cache
		 */
		public Cache cache(int index, String name) {
			Cache cache = this.managers.get(index).getCache(name);
			if (cache == null) {
				throw new IllegalStateException("No cache '" + name + "' on node " + index);
			}
			return cache;
		}

		/**
		 * Return the remote tier of node {@code index}, for tiercache in a remote mode.
		 * @param index from 0
		 * @return the remote tier, or {@code null} in local mode and for the others
		 */
		public @Nullable RemoteTier remoteTier(int index) {
			return (this.managers.get(index) instanceof TierCacheManager manager) ? manager.getRemoteTier() : null;
		}

		@Override
		public void close() {
			for (CacheManager manager : this.managers) {
				if (manager instanceof TierCacheManager tiercache) {
					tiercache.close();
				}
			}
			for (AutoCloseable resource : this.resources) {
				try {
					resource.close();
				}
				catch (Exception ex) {
					// Closing after a run: nothing left to measure.
				}
			}
		}

	}

}
