package dev.tiercache.benchmarks.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.benchmarks.Book;
import dev.tiercache.benchmarks.Contender;
import dev.tiercache.benchmarks.Contender.Nodes;
import dev.tiercache.benchmarks.Table;
import dev.tiercache.local.LocalTier;

/**
 * Benchmark 5: capacity. 4 nodes, each with the same memory budget (entries), serve a
 * Zipf(0.99) workload over a key space larger than one node's budget: tiercache in peers
 * mode, where each key is kept once by its owner (main) plus hot copies of the most
 * popular keys, against each node caching alone (local mode). Budgets are equal: a peer's
 * main holds {@code budget / (1 + hot-ratio)} entries and its hot tier the rest.
 *
 * <p>
 * Usage: {@code CapacityBenchmark quick|full}.
 *
 * @author tiercache
 */
public final class CapacityBenchmark {

	private static final int NODES = 4;

	private static final int THREADS_PER_NODE = 2;

	private static final double EXPONENT = 0.99;

	private CapacityBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		boolean quick = args.length == 0 || args[0].equals("quick");
		int keySpace = quick ? 100_000 : 1_000_000;
		int budget = quick ? 5_000 : 50_000;
		int warmupPerNode = quick ? 100_000 : 500_000;
		int requestsPerNode = quick ? 200_000 : 1_000_000;
		Zipf zipf = new Zipf(keySpace, EXPONENT);
		TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig();
		double hotRatio = defaults.getHotRatio();
		Table table = new Table(
				"5. Capacity: " + NODES + " nodes, a budget of " + String.format("%,d", budget) + " entries each, Zipf("
						+ EXPONENT + ") over " + String.format("%,d", keySpace) + " keys, "
						+ String.format("%,d", requestsPerNode) + " requests per node after "
						+ String.format("%,d", warmupPerNode) + " of warm-up",
				"contender", "hit ratio", "backing-store loads", "loads vs local", "distinct entries cached",
				"requests/s");
		long localLoads = 0;
		for (Contender contender : new Contender[] { Contender.TIERCACHE_LOCAL, Contender.TIERCACHE_PEERS }) {
			long size = (contender == Contender.TIERCACHE_PEERS) ? Math.round(budget / (1 + hotRatio)) : budget;
			TierCacheConfiguration config = defaults.withMaximumSize(size);
			try (Nodes nodes = contender.start(NODES, config, null)) {
				AtomicLong loads = new AtomicLong();
				drive(nodes, zipf, warmupPerNode, loads);
				loads.set(0);
				long start = System.nanoTime();
				drive(nodes, zipf, requestsPerNode, loads);
				double seconds = (System.nanoTime() - start) / 1e9;
				long requests = (long) requestsPerNode * NODES;
				if (contender == Contender.TIERCACHE_LOCAL) {
					localLoads = loads.get();
				}
				table.row(contender.label(), String.format("%.1f%%", 100.0 * (requests - loads.get()) / requests),
						loads.get(), Table.ratio(loads.get(), localLoads), distinctEntries(nodes, keySpace),
						requests / seconds);
			}
		}
		table.print();
	}

	private static void drive(Nodes nodes, Zipf zipf, int requestsPerNode, AtomicLong loads)
			throws InterruptedException {
		List<Thread> threads = new ArrayList<>();
		for (int n = 0; n < nodes.size(); n++) {
			TierCache cache = (TierCache) nodes.cache(n, "books");
			for (int t = 0; t < THREADS_PER_NODE; t++) {
				SplittableRandom random = new SplittableRandom(1000L * n + t + System.nanoTime());
				Thread thread = new Thread(() -> {
					for (int i = 0; i < requestsPerNode / THREADS_PER_NODE; i++) {
						int rank = zipf.next(random);
						cache.get("book-" + rank, () -> {
							loads.incrementAndGet();
							return Book.of(rank);
						});
					}
				});
				thread.start();
				threads.add(thread);
			}
		}
		for (Thread thread : threads) {
			thread.join();
		}
	}

	/**
	 * Count the keys of the key space cached on at least one node, in main or hot.
	 */
	private static long distinctEntries(Nodes nodes, int keySpace) {
		long distinct = 0;
		for (int rank = 0; rank < keySpace; rank++) {
			String key = "book-" + rank;
			for (int n = 0; n < nodes.size(); n++) {
				LocalTier tier = ((TierCache) nodes.cache(n, "books")).getLocalTier();
				if (tier.mainContains(key) || tier.hotContains(key)) {
					distinct++;
					break;
				}
			}
		}
		return distinct;
	}

}
