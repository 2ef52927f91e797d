package dev.tiercache.benchmarks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.benchmarks.Contender;
import dev.tiercache.benchmarks.Contender.Nodes;
import dev.tiercache.benchmarks.Table;
import dev.tiercache.benchmarks.e2e.VersionedDatabase.Row;
import org.HdrHistogram.Histogram;

import org.springframework.cache.Cache;

/**
 * Benchmark 8: a workload, the paths of the other benchmarks mixed as users run them. 3
 * nodes (cache managers in this JVM) x 8 threads each draw keys from a Zipf(0.99)
 * distribution over more keys than one node's budget; 95% of the operations read through
 * {@code Cache.get(key, Callable)} (what {@code @Cacheable(sync = true)} calls) with a
 * loader that queries a {@link VersionedDatabase} taking 2 ms, and 5% update the row in
 * the database and then {@code evict} the key (what {@code @CacheEvict} after a
 * repository save does). Every contender runs the same seeded key streams.
 *
 * <p>
 * Reported per contender: throughput, read latency percentiles, database queries, and
 * stale reads: reads that began after a write of their key completed (its eviction had
 * returned) and returned an older version.
 *
 * <p>
 * Usage: {@code WorkloadBenchmark quick|full [seed]}; each tiercache node's statistics
 * and the first stale reads of each contender go to standard error.
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

	private WorkloadBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		boolean quick = args.length == 0 || args[0].equals("quick");
		long seed = (args.length > 1) ? Long.parseLong(args[1]) : DEFAULT_SEED;
		Duration warmup = Duration.ofSeconds(quick ? 5 : 15);
		Duration measure = Duration.ofSeconds(quick ? 10 : 45);
		Zipf zipf = new Zipf(KEYS, EXPONENT);
		List<Setup> setups = setups();
		Table table = new Table(String.format(Locale.ROOT,
				"8. Workload: %d nodes x %d threads, Zipf(%s) over %,d keys, a budget of %,d entries per node, "
						+ "%d%% writes (update, then evict), a %d ms query; seed %d, %d s measured after %d s of "
						+ "warm-up (baseline: %s)",
				NODES, THREADS_PER_NODE, EXPONENT, KEYS, BUDGET, WRITE_PERCENT, QUERY_TIME.toMillis(), seed,
				measure.toSeconds(), warmup.toSeconds(), setups.get(0).label()), "contender", "ops/s",
				"ops/s vs baseline", "read p50 µs", "read p99 µs", "read p99.9 µs", "write p99 µs", "DB reads",
				"DB reads / 1,000 reads", "DB reads vs baseline", "stale reads", "max versions behind", "errors");
		List<Result> results = new ArrayList<>();
		try (TestRedis redis = TestRedis.start()) {
			for (Setup setup : setups) {
				System.err.println("workload: " + setup.label() + ", " + setup.config());
				try (Nodes nodes = setup.contender().start(NODES, setup.config(), redis)) {
					Result result = run(setup.label(), nodes, zipf, seed, warmup, measure);
					printStats(setup.label(), nodes);
					results.add(result);
				}
			}
		}
		Result baseline = results.get(0);
		for (int i = 0; i < setups.size(); i++) {
			Result result = results.get(i);
			table.row(setups.get(i).label(), result.opsPerSecond(),
					Table.ratio(result.opsPerSecond(), baseline.opsPerSecond()), micros(result.reads(), 50),
					micros(result.reads(), 99), micros(result.reads(), 99.9), micros(result.writes(), 99),
					result.queries(), result.queriesPerThousandReads(),
					Table.ratio(result.queriesPerThousandReads(), baseline.queriesPerThousandReads()),
					String.format(Locale.ROOT, "%,d (%.2f%%)", result.stale(),
							100.0 * result.stale() / Math.max(1, result.reads().getTotalCount())),
					result.maxBehind(), result.errors());
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
	 * to do within a run.
	 */
	private static List<Setup> setups() {
		TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig();
		TierCacheConfiguration tiercache = defaults.withMaximumSize(Math.round(BUDGET / (1 + defaults.getHotRatio())));
		TierCacheConfiguration others = defaults.withMaximumSize(BUDGET);
		TierCacheConfiguration shortTtl = tiercache.withTtl(SHORT_TTL);
		return List.of(new Setup(Contender.TIERCACHE_PEERS.label(), Contender.TIERCACHE_PEERS, tiercache),
				new Setup(Contender.TIERCACHE_REDIS.label(), Contender.TIERCACHE_REDIS, tiercache),
				new Setup(Contender.REDIS.label(), Contender.REDIS, others),
				new Setup(Contender.REDIS_LOCKING.label(), Contender.REDIS_LOCKING, others),
				new Setup(Contender.CAFFEINE.label() + " (per node)", Contender.CAFFEINE, others),
				new Setup("tiercache-peers, ttl " + SHORT_TTL.toSeconds() + " s", Contender.TIERCACHE_PEERS, shortTtl),
				new Setup(
						"tiercache-peers, ttl " + SHORT_TTL.toSeconds() + " s, refresh-after "
								+ REFRESH_AFTER.toMillis() / 1000.0 + " s",
						Contender.TIERCACHE_PEERS, shortTtl.withRefreshAfter(REFRESH_AFTER).validate()));
	}

	private static Result run(String label, Nodes nodes, Zipf zipf, long seed, Duration warmup, Duration measure)
			throws InterruptedException {
		VersionedDatabase database = new VersionedDatabase(KEYS, QUERY_TIME);
		AtomicBoolean measuring = new AtomicBoolean();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger described = new AtomicInteger();
		// The same seed gives every contender the same key stream on each thread.
		SplittableRandom seeds = new SplittableRandom(seed);
		List<Worker> workers = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int n = 0; n < nodes.size(); n++) {
			for (int t = 0; t < THREADS_PER_NODE; t++) {
				Worker worker = new Worker(label, n, nodes.cache(n, CACHE), database, zipf, seeds.split(), measuring,
						stop, described);
				Thread thread = new Thread(worker, "workload-" + n + "-" + t);
				thread.setDaemon(true);
				thread.start();
				workers.add(worker);
				threads.add(thread);
			}
		}
		Thread.sleep(warmup.toMillis());
		long queriesBefore = database.queries();
		long start = System.nanoTime();
		measuring.set(true);
		Thread.sleep(measure.toMillis());
		measuring.set(false);
		double seconds = (System.nanoTime() - start) / 1e9;
		long queries = database.queries() - queriesBefore;
		stop.set(true);
		for (Thread thread : threads) {
			thread.join();
		}
		Result result = new Result(newHistogram(), newHistogram(), seconds, queries);
		for (Worker worker : workers) {
			result.add(worker);
		}
		return result;
	}

	private static void printStats(String label, Nodes nodes) {
		for (int n = 0; n < nodes.size(); n++) {
			if (nodes.cache(n, CACHE) instanceof TierCache tiercache) {
				System.err.println(label + " node " + n + ": " + tiercache.getStats());
			}
		}
	}

	private static Histogram newHistogram() {
		return new Histogram(Duration.ofMinutes(1).toNanos(), 3);
	}

	private static double micros(Histogram histogram, double percentile) {
		return histogram.getValueAtPercentile(percentile) / 1000.0;
	}

	/**
	 * One contender as the table names it, and the settings its nodes get.
	 */
	private record Setup(String label, Contender contender, TierCacheConfiguration config) {

	}

	/**
	 * One application thread on one node: reads and writes until stopped, judging every
	 * read it makes while measuring.
	 */
	private static final class Worker implements Runnable {

		/**
		 * How many stale reads and errors per contender are described on standard error.
		 */
		private static final int DESCRIBED = 5;

		private final String label;

		private final int node;

		private final Cache cache;

		private final VersionedDatabase database;

		private final Zipf zipf;

		private final SplittableRandom random;

		private final AtomicBoolean measuring;

		private final AtomicBoolean stop;

		private final AtomicInteger described;

		private final Histogram reads = newHistogram();

		private final Histogram writes = newHistogram();

		private long stale;

		private long maxBehind;

		private long errors;

		Worker(String label, int node, Cache cache, VersionedDatabase database, Zipf zipf, SplittableRandom random,
				AtomicBoolean measuring, AtomicBoolean stop, AtomicInteger described) {
			this.label = label;
			this.node = node;
			this.cache = cache;
			this.database = database;
			this.zipf = zipf;
			this.random = random;
			this.measuring = measuring;
			this.stop = stop;
			this.described = described;
		}

		@Override
		public void run() {
			while (!this.stop.get()) {
				int id = this.zipf.next(this.random);
				boolean write = this.random.nextInt(100) < WRITE_PERCENT;
				boolean measured = this.measuring.get();
				long behind = 0;
				boolean failed = false;
				long start = System.nanoTime();
				try {
					behind = write ? write(id) : read(id);
				}
				catch (RuntimeException ex) {
					failed = true;
					describe(key(id) + ": " + ex);
				}
				long elapsed = System.nanoTime() - start;
				if (measured && this.measuring.get()) {
					Histogram histogram = write ? this.writes : this.reads;
					histogram.recordValue(Math.min(elapsed, histogram.getHighestTrackableValue()));
					this.errors += (failed || behind < 0) ? 1 : 0;
					if (behind > 0) {
						this.stale++;
						this.maxBehind = Math.max(this.maxBehind, behind);
						describe("stale read of " + key(id) + ", " + behind
								+ " version(s) behind the last completed write");
					}
				}
			}
		}

		/**
		 * Update the row, then evict the key, as an application does after a save.
		 */
		private long write(int id) {
			long version = this.database.update(id);
			this.cache.evict(key(id));
			this.database.completed(id, version);
			return 0;
		}

		/**
		 * Read through the cache.
		 * @return how many versions the read was behind the last completed write (0 if
		 * fresh), or -1 for a wrong row
		 */
		private long read(int id) {
			long freshest = this.database.freshest(id);
			Row row = this.cache.get(key(id), () -> this.database.query(id));
			if (row == null || row.id() != id) {
				return -1;
			}
			return Math.max(0, freshest - row.version());
		}

		private void describe(String what) {
			if (this.described.incrementAndGet() <= DESCRIBED) {
				System.err.println(this.label + ", node " + this.node + ": " + what);
			}
		}

		private static String key(int id) {
			return "row-" + id;
		}

	}

	/**
	 * What one contender's run measured, summed over its threads.
	 */
	private static final class Result {

		private final Histogram reads;

		private final Histogram writes;

		private final double seconds;

		private final long queries;

		private long stale;

		private long maxBehind;

		private long errors;

		Result(Histogram reads, Histogram writes, double seconds, long queries) {
			this.reads = reads;
			this.writes = writes;
			this.seconds = seconds;
			this.queries = queries;
		}

		void add(Worker worker) {
			this.reads.add(worker.reads);
			this.writes.add(worker.writes);
			this.stale += worker.stale;
			this.maxBehind = Math.max(this.maxBehind, worker.maxBehind);
			this.errors += worker.errors;
		}

		Histogram reads() {
			return this.reads;
		}

		Histogram writes() {
			return this.writes;
		}

		double opsPerSecond() {
			return (this.reads.getTotalCount() + this.writes.getTotalCount()) / this.seconds;
		}

		long queries() {
			return this.queries;
		}

		double queriesPerThousandReads() {
			return 1000.0 * this.queries / Math.max(1, this.reads.getTotalCount());
		}

		long stale() {
			return this.stale;
		}

		long maxBehind() {
			return this.maxBehind;
		}

		long errors() {
			return this.errors;
		}

	}

}
