package dev.tiercache.benchmarks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.benchmarks.Book;
import dev.tiercache.benchmarks.Table;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.redis.RedisRemoteTier;
import dev.tiercache.remote.redis.RedisTierSettings;
import dev.tiercache.remote.redis.RedisTierSettings.ClientTracking;

import org.springframework.cache.Cache;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What Redis client tracking ({@code tiercache.redis.client-tracking}) costs: three
 * redis-mode nodes on one {@code redis-server}, with tracking off and on. A writer on
 * node 0 ({@code put} over 1,000 keys: ops/s, latency, bytes Redis sends per write,
 * tracking invalidations the nodes receive per write) and readers of hot copies on node 1
 * (no writes meanwhile).
 *
 * <p>
 * Usage: {@code TrackingBenchmark quick|full}.
 *
 * @author tiercache
 */
public final class TrackingBenchmark {

	private static final int NODES = 3;

	private static final int KEYS = 1000;

	private TrackingBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		boolean quick = args.length == 0 || args[0].equals("quick");
		Duration warmup = Duration.ofSeconds(quick ? 2 : 5);
		Duration measure = Duration.ofSeconds(quick ? 5 : 15);
		Table table = new Table("6. Redis client tracking: 3 nodes, writes on node 0, hot reads on node 1",
				"client-tracking", "operation", "threads", "ops/s", "p50 µs", "p99 µs", "Redis bytes out / write",
				"tracking invalidations / write (3 nodes)");
		for (ClientTracking tracking : new ClientTracking[] { ClientTracking.OFF, ClientTracking.ON }) {
			try (TestRedis redis = TestRedis.start()) {
				List<LettuceConnectionFactory> factories = new ArrayList<>();
				List<TierCacheManager> managers = new ArrayList<>();
				List<RedisRemoteTier> tiers = new ArrayList<>();
				RedisTierSettings settings = RedisTierSettings.defaults().withClientTracking(tracking);
				for (int i = 0; i < NODES; i++) {
					LettuceConnectionFactory factory = redis.connectionFactory();
					factories.add(factory);
					RedisRemoteTier tier = RedisRemoteTier.start(factory,
							ValueCodec.java(AllowList.of(List.of("dev.tiercache.benchmarks"))), settings, () -> "node");
					tiers.add(tier);
					managers.add(TierCacheManager.builder()
						.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig())
						.remoteTier(tier)
						.build());
				}
				awaitTracking(tiers, tracking);
				Cache writer = managers.get(0).getCache("books");
				Cache reader = managers.get(1).getCache("books");
				long bytesBefore = bytesOut(factories.get(0));
				long invalidationsBefore = invalidations(tiers);
				Load.Result writes = Load.run(1, warmup, measure, (random) -> {
					long id = random.nextInt(KEYS);
					writer.put("book-" + id, Book.of(id));
					return true;
				});
				// Every write, the warm-up's too.
				long written = writes.latency().getTotalCount()
						+ Math.round(writes.opsPerSecond() * warmup.toSeconds());
				double bytes = (bytesOut(factories.get(0)) - bytesBefore) / (double) written;
				double pushes = (invalidations(tiers) - invalidationsBefore) / (double) written;
				table.row(tracking.name().toLowerCase(), "put on node 0", 1, writes.opsPerSecond(), writes.micros(50),
						writes.micros(99), Math.round(bytes), String.format("%.2f", pushes));
				for (int id = 0; id < KEYS; id++) {
					reader.get("book-" + id);
				}
				Load.Result hits = Load.run(2, warmup, measure,
						(random) -> reader.get("book-" + random.nextInt(KEYS)) != null);
				table.row(tracking.name().toLowerCase(), "hot hit on node 1", 2, hits.opsPerSecond(), hits.micros(50),
						hits.micros(99), "", "");
				managers.forEach(TierCacheManager::close);
				factories.forEach(LettuceConnectionFactory::destroy);
			}
		}
		table.print();
	}

	private static void awaitTracking(List<RedisRemoteTier> tiers, ClientTracking tracking)
			throws InterruptedException {
		if (tracking == ClientTracking.OFF) {
			return;
		}
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		for (RedisRemoteTier tier : tiers) {
			while (!"active".equals(tier.view().details().get("clientTracking"))) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("tracking did not start: " + tier.view().details());
				}
				Thread.sleep(10);
			}
		}
	}

	private static long invalidations(List<RedisRemoteTier> tiers) {
		return tiers.stream().mapToLong((tier) -> (Long) tier.view().details().get("trackingInvalidations")).sum();
	}

	private static long bytesOut(LettuceConnectionFactory factory) {
		try (RedisConnection connection = factory.getConnection()) {
			Properties stats = connection.serverCommands().info("stats");
			return Long.parseLong(stats.getProperty("total_net_output_bytes"));
		}
	}

}
