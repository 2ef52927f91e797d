package dev.tiercache.benchmarks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.benchmarks.Contender;
import dev.tiercache.benchmarks.Contender.Nodes;
import dev.tiercache.benchmarks.Table;
import dev.tiercache.benchmarks.e2e.WorkloadRun.Workload;
import org.HdrHistogram.Histogram;

import org.springframework.cache.Cache;

/**
 * Benchmark 8: a workload, the paths of the other benchmarks mixed as users run them. 3
 * nodes (cache managers in this JVM) x 8 threads each draw keys from a Zipf(0.99)
 * distribution over more keys than one node's budget; 95% of the operations read through
 * {@code Cache.get(key, Callable)} (what {@code @Cacheable(sync = true)} calls) with a
 * loader that queries a {@link VersionedDatabase} taking 2 ms, and 5% update the row in
 * the database and then {@code evict} the key (what {@code @CacheEvict} after a
 * repository save does). Every contender serves the same seeded key streams, the same
 * number of operations ({@link WorkloadRun}).
 *
 * <p>
 * Reported per contender: throughput, read latency percentiles, database queries, and
 * stale reads: reads that began after a write of their key completed (its eviction had
 * returned) and returned an older version.
 *
 * <p>
 * Usage: {@code WorkloadBenchmark quick|full [seed [contender ...]]}, contenders named as
 * in {@link #setups()}, which run in that order (the first is the baseline); each
 * tiercache node's statistics and the first stale reads of each contender go to standard
 * error. Quick mode measures 200,000 operations after 100,000 of warm-up per contender
 * (about 3 minutes for all seven on 2 cores), full mode 1,000,000 after 300,000; an
 * unmeasured run of the baseline comes first.
 *
 * @author tiercache
 */
public final class WorkloadBenchmark {

	private static final int NODES = 3;

	private static final int THREADS_PER_NODE = 8;

	private static final int KEYS = 20_000;

	private static final int BUDGET = 5_000;

	private static final double EXPONENT = 0.99;

	private static final int WRITE_PERCENT = 5;

	private static final Duration QUERY_TIME = Duration.ofMillis(2);

	private static final long DEFAULT_SEED = 20261201L;

	/** A time to live short enough for refresh-ahead to matter within a run. */
	private static final Duration SHORT_TTL = Duration.ofSeconds(5);

	private static final Duration REFRESH_AFTER = Duration.ofMillis(2500);

	private static final String CACHE = "rows";

	/**
	 * The contenders run when none is named: all but {@code RedisCacheManager} with
	 * {@code immediateWrites()}, which only tells where its stale reads come from.
	 */
	private static final List<String> DEFAULT_SETUPS = List.of("tiercache-peers", "tiercache-redis",
			"redis-cache-manager", "redis-cache-manager-locking", "caffeine", "tiercache-peers-short-ttl",
			"tiercache-peers-refresh");

	private WorkloadBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		boolean quick = args.length == 0 || args[0].equals("quick");
		long seed = (args.length > 1) ? Long.parseLong(args[1]) : DEFAULT_SEED;
		Workload workload = new Workload(THREADS_PER_NODE, KEYS, new Zipf(KEYS, EXPONENT), WRITE_PERCENT, QUERY_TIME,
				seed, quick ? 100_000 : 300_000, Duration.ofSeconds(quick ? 10 : 60), quick ? 200_000 : 1_000_000,
				Duration.ofSeconds(quick ? 30 : 180));
		List<Setup> setups = setups();
		List<String> names = (args.length > 2) ? List.of(args).subList(2, args.length) : DEFAULT_SETUPS;
		List<String> known = setups.stream().map(Setup::name).toList();
		if (!known.containsAll(names)) {
			throw new IllegalArgumentException("Unknown contender in " + names + "; use one of " + known);
		}
		setups = setups.stream().filter((setup) -> names.contains(setup.name())).toList();
		Table table = new Table(String.format(Locale.ROOT,
				"8. Workload: %d nodes x %d threads, Zipf(%s) over %,d keys, a budget of %,d entries per node, "
						+ "%d%% writes (update, then evict), a %d ms query; seed %d, %,d operations measured after "
						+ "%,d of warm-up (baseline: %s)",
				NODES, THREADS_PER_NODE, EXPONENT, KEYS, BUDGET, WRITE_PERCENT, QUERY_TIME.toMillis(), seed,
				workload.measuredOperations(), workload.warmupOperations(), setups.get(0).label()), "contender",
				"ops measured", "ops/s", "ops/s vs baseline", "read p50 µs", "read p99 µs", "read p99.9 µs",
				"write p99 µs", "DB reads", "DB reads / 1,000 reads", "DB reads vs baseline", "stale reads",
				"max versions behind", "errors");
		List<WorkloadRun> runs = new ArrayList<>();
		try (TestRedis redis = TestRedis.start()) {
			// A first, unmeasured run of the baseline: the JIT compiles what every
			// contender shares (and JGroups' and Caffeine's paths), and the heap finds
			// its size, so that the baseline does not pay for a cold JVM alone.
			run(setups.get(0), redis, workload, "JVM warm-up, " + setups.get(0).label());
			for (Setup setup : setups) {
				runs.add(run(setup, redis, workload, setup.label()));
			}
		}
		WorkloadRun baseline = runs.get(0);
		for (int i = 0; i < setups.size(); i++) {
			WorkloadRun run = runs.get(i);
			table.row(setups.get(i).label(), run.operations(), run.operationsPerSecond(),
					Table.ratio(run.operationsPerSecond(), baseline.operationsPerSecond()), micros(run.reads(), 50),
					micros(run.reads(), 99), micros(run.reads(), 99.9), micros(run.writes(), 99), run.queries(),
					run.queriesPerThousandReads(),
					Table.ratio(run.queriesPerThousandReads(), baseline.queriesPerThousandReads()),
					String.format(Locale.ROOT, "%,d (%.2f%%)", run.stale(),
							100.0 * run.stale() / Math.max(1, run.reads().getTotalCount())),
					run.maxBehind(), run.errors());
		}
		table.print();
	}

	/**
	 * The contenders, tiercache peers first (the baseline). Every cache holds at most
	 * {@link #BUDGET} entries per node: tiercache's main gets
	 * {@code budget / (1 + hot-ratio)} and its hot tier the rest, as in benchmark 5;
	 * Redis holds every key once for the Redis contenders. Otherwise default settings
	 * (time to live 10 minutes, hot tier on), except the last two rows: a time to live of
	 * {@link #SHORT_TTL} without and with refresh-ahead, so that refreshing has something
	 * to do within a run. Their names: {@code tiercache-peers}, {@code tiercache-redis},
	 * {@code redis-cache-manager}, {@code redis-cache-manager-locking}, {@code caffeine},
	 * {@code redis-cache-manager-immediate} and
	 * {@code redis-cache-manager-locking-immediate} (named only, not run by default),
	 * {@code tiercache-peers-short-ttl}, {@code tiercache-peers-refresh}.
	 */
	private static List<Setup> setups() {
		TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig();
		TierCacheConfiguration tiercache = defaults.withMaximumSize(Math.round(BUDGET / (1 + defaults.getHotRatio())));
		TierCacheConfiguration others = defaults.withMaximumSize(BUDGET);
		TierCacheConfiguration shortTtl = tiercache.withTtl(SHORT_TTL);
		String shortTtlLabel = "tiercache-peers, ttl " + SHORT_TTL.toSeconds() + " s";
		return List.of(
				new Setup("tiercache-peers", Contender.TIERCACHE_PEERS.label(), Contender.TIERCACHE_PEERS, tiercache),
				new Setup("tiercache-redis", Contender.TIERCACHE_REDIS.label(), Contender.TIERCACHE_REDIS, tiercache),
				new Setup("redis-cache-manager", Contender.REDIS.label(), Contender.REDIS, others),
				new Setup("redis-cache-manager-locking", Contender.REDIS_LOCKING.label(), Contender.REDIS_LOCKING,
						others),
				new Setup("caffeine", "caffeine (per node)", Contender.CAFFEINE, others),
				new Setup("redis-cache-manager-immediate", Contender.REDIS_IMMEDIATE.label(), Contender.REDIS_IMMEDIATE,
						others),
				new Setup("redis-cache-manager-locking-immediate", Contender.REDIS_LOCKING_IMMEDIATE.label(),
						Contender.REDIS_LOCKING_IMMEDIATE, others),
				new Setup("tiercache-peers-short-ttl", shortTtlLabel, Contender.TIERCACHE_PEERS, shortTtl),
				new Setup("tiercache-peers-refresh",
						shortTtlLabel + ", refresh-after " + REFRESH_AFTER.toMillis() / 1000.0 + " s",
						Contender.TIERCACHE_PEERS, shortTtl.withRefreshAfter(REFRESH_AFTER).validate()));
	}

	private static WorkloadRun run(Setup setup, TestRedis redis, Workload workload, String label)
			throws InterruptedException {
		System.err.println("workload: " + label + ", " + setup.config());
		try (Nodes nodes = setup.contender().start(NODES, setup.config(), redis)) {
			List<Cache> caches = new ArrayList<>();
			for (int n = 0; n < nodes.size(); n++) {
				caches.add(nodes.cache(n, CACHE));
			}
			long start = System.nanoTime();
			WorkloadRun run = WorkloadRun.run(label, caches, workload);
			Histogram reads = run.reads();
			System.err.printf(Locale.ROOT, "%s: %.1f s, reads of 50 ms or more: %,d%n", label,
					(System.nanoTime() - start) / 1e9,
					reads.getCountBetweenValues(50_000_000, Math.max(50_000_000, reads.getMaxValue())));
			printStats(label, caches);
			return run;
		}
	}

	private static void printStats(String label, List<Cache> caches) {
		for (int n = 0; n < caches.size(); n++) {
			if (caches.get(n) instanceof TierCache tiercache) {
				System.err.println(label + " node " + n + ": " + tiercache.getStats());
			}
		}
	}

	private static double micros(Histogram histogram, double percentile) {
		return histogram.getValueAtPercentile(percentile) / 1000.0;
	}

	/**
	 * One contender: its name on the command line, its label in the table, and the
	 * settings its nodes get.
	 */
	private record Setup(String name, String label, Contender contender, TierCacheConfiguration config) {

	}

}
