package dev.tiercache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.peers.PeersCluster;
import dev.tiercache.remote.peers.PeersRemoteTier;
import dev.tiercache.remote.redis.RedisRemoteTier;
import dev.tiercache.remote.redis.RedisTierSettings;
import dev.tiercache.stats.CacheStats;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

/**
 * One way of running tiercache (a mode) for the {@link CacheContractTests} and the cache
 * annotation tests: it creates caches and managers in that mode with a fake clock and a
 * seeded random source, and tears down what the mode needs (channels, servers)
 * afterwards.
 */
public interface CacheFixture extends AutoCloseable {

	/**
	 * Create a cache {@code name} with {@code configuration}, on a manager of its own.
	 */
	default TierCache cache(String name, TierCacheConfiguration configuration) {
		return manager(configuration, name).getCache(name);
	}

	/**
	 * Create a manager in this mode whose caches {@code names} have
	 * {@code configuration}, as an application has one. Other names are created with the
	 * same configuration on first use. The fixture closes what the manager holds.
	 */
	TierCacheManager manager(TierCacheConfiguration configuration, String... names);

	/**
	 * Create the cache {@code name} with {@code configuration} on every node of a cluster
	 * in this mode, with fresh managers: three nodes in the remote modes, one in local
	 * mode. The first is the node {@link #manager} would return.
	 */
	default List<TierCache> cluster(String name, TierCacheConfiguration configuration) {
		return List.of(cache(name, configuration));
	}

	/**
	 * Move the clock every cache of this fixture expires by.
	 */
	void advance(Duration duration);

	/**
	 * Return how many callers of {@code cache} are waiting for a load that another caller
	 * runs, wherever that caller is.
	 */
	default long waiters(TierCache cache) {
		CacheStats stats = cache.getStats();
		return stats.count(dev.tiercache.stats.Counter.LOADS_DEDUPLICATED)
				+ stats.count(dev.tiercache.stats.Counter.LEASE_WAITS);
	}

	@Override
	void close();

	/**
	 * Return a builder of a manager whose caches {@code names}, and those created on
	 * first use, have {@code configuration}, with Caffeine's maintenance on the caller.
	 */
	private static TierCacheManager.Builder builder(TierCacheConfiguration configuration, String... names) {
		TierCacheManager.Builder builder = TierCacheManager.builder()
			.cacheDefaults(configuration)
			.executor(Runnable::run);
		for (String name : names) {
			builder.withCacheConfiguration(name, configuration);
		}
		return builder;
	}

	/**
	 * Local mode: one {@link TierCacheManager} with no remote tier.
	 */
	final class Local implements CacheFixture {

		private final FakeTicker ticker = new FakeTicker();

		private final RandomGenerator random = new SplittableRandom(42);

		@Override
		public TierCacheManager manager(TierCacheConfiguration configuration, String... names) {
			return builder(configuration, names).ticker(this.ticker).random(this.random).build();
		}

		@Override
		public void advance(Duration duration) {
			this.ticker.advance(duration);
		}

		@Override
		public void close() {
		}

		@Override
		public String toString() {
			return "local";
		}

	}

	/**
	 * Peers mode: three JGroups members in this JVM on loopback, formed once and kept for
	 * every test; each test gets fresh managers (and so fresh caches) on all three, and
	 * uses the first member's manager.
	 */
	final class Peers implements CacheFixture {

		private static final AtomicInteger clusters = new AtomicInteger();

		private final FakeTicker ticker = new FakeTicker();

		private List<PeersRemoteTier> members;

		@Override
		public TierCacheManager manager(TierCacheConfiguration configuration, String... names) {
			return managers(configuration, names).get(0);
		}

		@Override
		public List<TierCache> cluster(String name, TierCacheConfiguration configuration) {
			return managers(configuration, name).stream().map((manager) -> manager.getCache(name)).toList();
		}

		/**
		 * Fresh managers on every member, the first member's first.
		 */
		private synchronized List<TierCacheManager> managers(TierCacheConfiguration configuration, String... names) {
			if (this.members == null) {
				this.members = PeersCluster.start("contract-" + clusters.incrementAndGet(), 3);
			}
			List<TierCacheManager> managers = new ArrayList<>();
			for (PeersRemoteTier member : this.members) {
				managers.add(builder(configuration, names).remoteTier(member)
					.ticker(this.ticker)
					.random(new SplittableRandom(42))
					.build());
			}
			return managers;
		}

		@Override
		public void advance(Duration duration) {
			this.ticker.advance(duration);
		}

		@Override
		public void close() {
		}

		@Override
		public String toString() {
			return "peers";
		}

	}

	/**
	 * Redis mode: managers with a {@link RedisRemoteTier} on a real Redis server. The
	 * fake clock moves Redis too: {@link #advance(Duration)} shortens the remaining time
	 * to live of every key of this fixture in Redis, deleting the keys whose time is up.
	 * Subclasses choose the topology.
	 */
	abstract class OnRedis implements CacheFixture {

		private static final AtomicInteger fixtures = new AtomicInteger();

		private final FakeTicker ticker = new FakeTicker();

		private final String prefix = "contract" + fixtures.incrementAndGet() + ":";

		private final List<TierCacheManager> managers = new ArrayList<>();

		private LettuceConnectionFactory connectionFactory;

		/**
		 * Return a new, started connection factory to the topology of this fixture.
		 */
		protected abstract LettuceConnectionFactory connect();

		@Override
		public synchronized TierCacheManager manager(TierCacheConfiguration configuration, String... names) {
			if (this.connectionFactory == null) {
				this.connectionFactory = connect();
			}
			RedisTierSettings settings = new RedisTierSettings(this.prefix, Duration.ofSeconds(10),
					Duration.ofMillis(250), Duration.ofMillis(200), false, 3, Duration.ofMillis(200));
			TierCacheManager manager = builder(configuration, names)
				.remoteTier(RedisRemoteTier.start(this.connectionFactory, ValueCodec.java(AllowList.of(List.of())),
						settings, () -> "node"))
				.ticker(this.ticker)
				.random(new SplittableRandom(42))
				.build();
			this.managers.add(manager);
			return manager;
		}

		@Override
		public List<TierCache> cluster(String name, TierCacheConfiguration configuration) {
			List<TierCache> nodes = new ArrayList<>();
			for (int i = 0; i < 3; i++) {
				nodes.add(cache(name, configuration));
			}
			return nodes;
		}

		@Override
		public void advance(Duration duration) {
			this.ticker.advance(duration);
			try (RedisConnection connection = this.connectionFactory.getConnection()) {
				for (byte[] key : keys(connection, this.prefix + "*")) {
					Long remaining = connection.keyCommands().pTtl(key);
					if (remaining != null && remaining > 0) {
						long left = remaining - duration.toMillis();
						if (left <= 0) {
							connection.keyCommands().del(key);
						}
						else {
							connection.keyCommands().pExpire(key, left);
						}
					}
				}
			}
		}

		/**
		 * Return the keys matching {@code pattern}; on a Cluster, those of every master.
		 */
		static List<byte[]> keys(RedisConnection connection, String pattern) {
			ScanOptions options = ScanOptions.scanOptions().match(pattern).build();
			List<byte[]> keys = new ArrayList<>();
			if (connection instanceof RedisClusterConnection cluster) {
				for (RedisClusterNode master : cluster.clusterGetNodes()) {
					if (master.isMaster() && master.isConnected()) {
						try (Cursor<byte[]> cursor = cluster.scan(master, options)) {
							cursor.forEachRemaining(keys::add);
						}
					}
				}
			}
			else {
				try (Cursor<byte[]> cursor = connection.keyCommands().scan(options)) {
					cursor.forEachRemaining(keys::add);
				}
			}
			return keys;
		}

		@Override
		public synchronized void close() {
			this.managers.forEach(TierCacheManager::close);
			this.managers.clear();
			if (this.connectionFactory != null) {
				try (RedisConnection connection = this.connectionFactory.getConnection()) {
					connection.serverCommands().flushAll();
				}
				this.connectionFactory.destroy();
				this.connectionFactory = null;
			}
		}

	}

	/**
	 * Redis mode on a standalone server ({@link TestRedis#shared()}).
	 */
	final class Redis extends OnRedis {

		@Override
		protected LettuceConnectionFactory connect() {
			return TestRedis.shared().connectionFactory();
		}

		@Override
		public String toString() {
			return "redis";
		}

	}

	/**
	 * Redis mode on a Sentinel group ({@link TestRedisSentinel#shared()}).
	 */
	final class RedisSentinel extends OnRedis {

		@Override
		protected LettuceConnectionFactory connect() {
			return TestRedisSentinel.shared().connectionFactory();
		}

		@Override
		public String toString() {
			return "redis-sentinel";
		}

	}

	/**
	 * Redis mode on a Redis Cluster ({@link TestRedisCluster#shared()}).
	 */
	final class RedisCluster extends OnRedis {

		@Override
		protected LettuceConnectionFactory connect() {
			return TestRedisCluster.shared().connectionFactory();
		}

		@Override
		public String toString() {
			return "redis-cluster";
		}

	}

}
