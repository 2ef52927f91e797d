package dev.tiercache.benchmarks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.benchmarks.Book;
import dev.tiercache.benchmarks.Contender;
import dev.tiercache.benchmarks.Contender.Nodes;
import dev.tiercache.benchmarks.Table;
import dev.tiercache.remote.RemoteTier;

import org.springframework.cache.Cache;

/**
 * Benchmark 3: a remote hit with the hot tier (near cache) off. A peer fetching from its
 * owner over loopback JGroups (the owner in this JVM, and in a JVM of its own as in an
 * application), tiercache's redis mode and {@code RedisCacheManager} GET against the same
 * {@code redis-server}: latency percentiles and throughput at 1, 8 and 32 threads.
 *
 * <p>
 * Usage: {@code RemoteHitBenchmark quick|full [contender ...]}; the first contender is
 * the baseline.
 *
 * @author tiercache
 */
public final class RemoteHitBenchmark {

	private static final int KEYS = 1000;

	private static final int[] THREADS = { 1, 8, 32 };

	private RemoteHitBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		boolean quick = args.length == 0 || args[0].equals("quick");
		Duration warmup = Duration.ofSeconds(quick ? 2 : 5);
		Duration measure = Duration.ofSeconds(quick ? 4 : 15);
		TierCacheConfiguration noHotTier = TierCacheConfiguration.defaultCacheConfig().withHotRatio(0);
		Contender[] contenders = (args.length > 1)
				? java.util.Arrays.stream(args, 1, args.length).map(Contender::of).toArray(Contender[]::new)
				: new Contender[] { Contender.REDIS, Contender.TIERCACHE_REDIS, Contender.TIERCACHE_PEERS,
						Contender.TIERCACHE_PEERS_PROCESSES };
		double[][] results = new double[contenders.length * THREADS.length][];
		Table table = new Table("3. Remote hit, hot tier off (baseline: " + contenders[0] + " at the same threads)",
				"contender", "threads", "ops/s", "p50 µs", "p99 µs", "p99.9 µs", "failures", "throughput vs baseline",
				"p99 vs baseline");
		try (TestRedis redis = TestRedis.start()) {
			for (int c = 0; c < contenders.length; c++) {
				Contender contender = contenders[c];
				// Two peers: node 0 reads what node 1 owns. Redis: one node reads.
				boolean peers = contender == Contender.TIERCACHE_PEERS
						|| contender == Contender.TIERCACHE_PEERS_PROCESSES;
				try (Nodes nodes = contender.start(peers ? 2 : 1, noHotTier, redis)) {
					Cache reader = nodes.cache(0, "books");
					List<Object> keys = remoteKeys(nodes);
					for (int t = 0; t < THREADS.length; t++) {
						Load.Result result = Load.run(THREADS[t], warmup, measure,
								(random) -> reader.get(keys.get(random.nextInt(keys.size()))) != null);
						results[c * THREADS.length + t] = new double[] { result.opsPerSecond(), result.micros(99) };
						double[] base = (results[t] != null) ? results[t] : results[c * THREADS.length + t];
						table.row(contender.label(), THREADS[t], result.opsPerSecond(), result.micros(50),
								result.micros(99), result.micros(99.9), result.failures(),
								Table.ratio(result.opsPerSecond(), base[0]), Table.ratio(result.micros(99), base[1]));
					}
				}
			}
		}
		table.print();
	}

	/**
	 * Store {@link #KEYS} books where node 0 must fetch them remotely: at their owner (a
	 * peer) in peers mode, in Redis otherwise. Node 0 writes them, and with the hot tier
	 * off keeps no copy.
	 */
	private static List<Object> remoteKeys(Nodes nodes) {
		RemoteTier tier = nodes.remoteTier(0);
		boolean peers = tier != null && tier.usesMain();
		Cache reader = nodes.cache(0, "books");
		List<Object> keys = new ArrayList<>();
		for (long id = 0; keys.size() < KEYS; id++) {
			String key = "book-" + id;
			if (!peers || !tier.ownsLocally("books", key)) {
				reader.put(key, Book.of(id));
				keys.add(key);
			}
		}
		for (Object key : keys) {
			if (reader.get(key) == null) {
				throw new IllegalStateException(nodes.contender() + ": node 0 cannot read " + key);
			}
		}
		return keys;
	}

}
