package dev.tiercache.benchmarks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.benchmarks.Book;
import dev.tiercache.benchmarks.Contender;
import dev.tiercache.benchmarks.Contender.Nodes;
import dev.tiercache.benchmarks.Table;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

import org.springframework.cache.Cache;

/**
 * Benchmark 4: a stampede. N threads on each of 3 nodes ask, each in its own order, for
 * the same K missing keys through {@code Cache.get(key, Callable)} (what
 * {@code @Cacheable(sync = true)} calls), against a loader that takes 20 ms: how many
 * loads reach the database, and how long the callers wait.
 *
 * <p>
 * Usage: {@code StampedeBenchmark quick|full [contender ...]}; each tiercache node's
 * statistics go to standard error.
 *
 * @author tiercache
 */
public final class StampedeBenchmark {

	private static final int NODES = 3;

	private static final int KEYS = 100;

	private static final Duration LOAD_TIME = Duration.ofMillis(20);

	private StampedeBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		boolean quick = args.length == 0 || args[0].equals("quick");
		int rounds = quick ? 3 : 10;
		int[] threadCounts = quick ? new int[] { 16 } : new int[] { 16, 64 };
		Contender[] contenders = (args.length > 1)
				? java.util.Arrays.stream(args, 1, args.length).map(Contender::of).toArray(Contender[]::new)
				: new Contender[] { Contender.TIERCACHE_PEERS, Contender.TIERCACHE_REDIS, Contender.REDIS,
						Contender.REDIS_LOCKING, Contender.CAFFEINE };
		Table table = new Table(
				"4. Stampede: " + NODES + " nodes x N threads, the same " + KEYS
						+ " missing keys, a 20 ms loader (mean of " + rounds + " rounds)",
				"contender", "threads per node", "loads per round", "loads / keys", "p50 ms", "p99 ms", "max ms",
				"round ms", "failed or wrong");
		try (TestRedis redis = TestRedis.start()) {
			for (int threads : threadCounts) {
				for (Contender contender : contenders) {
					try (Nodes nodes = contender.start(NODES, TierCacheConfiguration.defaultCacheConfig(), redis)) {
						Histogram latency = new SynchronizedHistogram(Duration.ofMinutes(1).toNanos(), 3);
						AtomicLong loads = new AtomicLong();
						AtomicLong wrong = new AtomicLong();
						long roundNanos = 0;
						// One unmeasured round warms every path up.
						round(nodes, threads, -1, new SynchronizedHistogram(3), new AtomicLong(), wrong);
						for (int round = 0; round < rounds; round++) {
							roundNanos += round(nodes, threads, round, latency, loads, wrong);
						}
						for (int n = 0; n < nodes.size(); n++) {
							if (nodes.cache(n, "books") instanceof TierCache tiercache) {
								System.err.println(contender + " node " + n + ": " + tiercache.getStats());
							}
						}
						table.row(contender.label(), threads, (double) loads.get() / rounds,
								Table.ratio((double) loads.get() / rounds, KEYS),
								latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
								latency.getMaxValue() / 1e6, roundNanos / 1e6 / rounds, wrong.get());
					}
				}
			}
		}
		table.print();
	}

	/**
	 * One round: every thread of every node asks for every key of the round once.
	 * @return how long the round took, in nanoseconds
	 */
	private static long round(Nodes nodes, int threadsPerNode, int round, Histogram latency, AtomicLong loads,
			AtomicLong wrong) throws Exception {
		int total = nodes.size() * threadsPerNode;
		CyclicBarrier start = new CyclicBarrier(total + 1);
		CountDownLatch done = new CountDownLatch(total);
		List<Thread> threads = new ArrayList<>();
		for (int n = 0; n < nodes.size(); n++) {
			Cache cache = nodes.cache(n, "books");
			for (int t = 0; t < threadsPerNode; t++) {
				List<Integer> order = new ArrayList<>();
				for (int k = 0; k < KEYS; k++) {
					order.add(k);
				}
				java.util.Collections.shuffle(order, new Random(31L * n + t));
				Thread thread = new Thread(() -> {
					try {
						start.await();
						for (int k : order) {
							String key = "round-" + round + ":book-" + k;
							long begin = System.nanoTime();
							Book book = cache.get(key, () -> {
								loads.incrementAndGet();
								Thread.sleep(LOAD_TIME.toMillis());
								return Book.of(k);
							});
							latency.recordValue(System.nanoTime() - begin);
							if (book == null || book.id() != k) {
								wrong.incrementAndGet();
							}
						}
					}
					catch (Exception ex) {
						wrong.incrementAndGet();
					}
					finally {
						done.countDown();
					}
				});
				thread.start();
				threads.add(thread);
			}
		}
		start.await();
		long begin = System.nanoTime();
		done.await();
		return System.nanoTime() - begin;
	}

}
