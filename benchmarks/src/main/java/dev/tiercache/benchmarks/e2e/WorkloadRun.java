package dev.tiercache.benchmarks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.benchmarks.e2e.VersionedDatabase.Row;
import org.HdrHistogram.Histogram;

import org.springframework.cache.Cache;

/**
 * One contender's run of the workload of benchmark 8, and what it measured. Every thread
 * draws its keys from its own random source, split in order from one seed, and makes a
 * fixed number of operations: first a warm-up, then, once every thread has warmed up, the
 * measured ones. So every contender serves the same key streams, and its database reads
 * and stale reads count the same requests. A contender too slow to finish a phase within
 * its time limit is stopped there; {@link #operations()} says how far it got.
 *
 * @author tiercache
 */
final class WorkloadRun {

	/** How many stale reads and errors per run are described on standard error. */
	private static final int DESCRIBED = 5;

	private final Histogram reads = newHistogram();

	private final Histogram writes = newHistogram();

	private double seconds;

	private long queries;

	private long stale;

	private long maxBehind;

	private long errors;

	private WorkloadRun() {
	}

	/**
	 * Run the workload against one cache per node, {@code threadsPerNode} threads each.
	 * @param label the contender's name, for standard error
	 * @param caches the same cache on each node
	 * @param workload what to run
	 * @return what the measured operations measured
	 * @throws InterruptedException if interrupted while waiting for the threads
	 */
	static WorkloadRun run(String label, List<Cache> caches, Workload workload) throws InterruptedException {
		VersionedDatabase database = new VersionedDatabase(workload.keys(), workload.queryTime());
		Phases phases = new Phases(caches.size() * workload.threadsPerNode());
		// The same seed gives every contender the same key stream on each thread.
		SplittableRandom seeds = new SplittableRandom(workload.seed());
		List<Worker> workers = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int n = 0; n < caches.size(); n++) {
			for (int t = 0; t < workload.threadsPerNode(); t++) {
				Worker worker = new Worker(label + ", node " + n, caches.get(n), database, workload, seeds.split(),
						phases);
				Thread thread = new Thread(worker, "workload-" + n + "-" + t);
				thread.setDaemon(true);
				thread.start();
				workers.add(worker);
				threads.add(thread);
			}
		}
		if (!phases.warmedUp.await(workload.warmupLimit().toMillis(), TimeUnit.MILLISECONDS)) {
			System.err.println(label + ": warm-up stopped at its time limit of " + workload.warmupLimit());
			phases.stopWarmup.set(true);
			phases.warmedUp.await();
		}
		WorkloadRun run = new WorkloadRun();
		long queriesBefore = database.queries();
		long start = System.nanoTime();
		phases.measure.countDown();
		if (!phases.measured.await(workload.measureLimit().toMillis(), TimeUnit.MILLISECONDS)) {
			System.err.println(label + ": measurement stopped at its time limit of " + workload.measureLimit());
			phases.stopMeasure.set(true);
			phases.measured.await();
		}
		run.seconds = (System.nanoTime() - start) / 1e9;
		run.queries = database.queries() - queriesBefore;
		for (Thread thread : threads) {
			thread.join();
		}
		for (Worker worker : workers) {
			run.reads.add(worker.reads);
			run.writes.add(worker.writes);
			run.stale += worker.stale;
			run.maxBehind = Math.max(run.maxBehind, worker.maxBehind);
			run.errors += worker.errors;
		}
		return run;
	}

	/**
	 * Return every measured read's latency, in nanoseconds.
	 * @return the histogram
	 */
	Histogram reads() {
		return this.reads;
	}

	/**
	 * Return every measured write's latency (update and evict), in nanoseconds.
	 * @return the histogram
	 */
	Histogram writes() {
		return this.writes;
	}

	/**
	 * Return how many operations were measured.
	 * @return reads and writes
	 */
	long operations() {
		return this.reads.getTotalCount() + this.writes.getTotalCount();
	}

	double operationsPerSecond() {
		return operations() / this.seconds;
	}

	/**
	 * Return how many queries the database served while the operations were measured
	 * (refreshes in the background included).
	 * @return the count
	 */
	long queries() {
		return this.queries;
	}

	double queriesPerThousandReads() {
		return 1000.0 * this.queries / Math.max(1, this.reads.getTotalCount());
	}

	/**
	 * Return how many measured reads were stale: they began after a write of their key
	 * had completed and returned a version older than it.
	 * @return the count
	 */
	long stale() {
		return this.stale;
	}

	/**
	 * Return the most versions a stale read was behind.
	 * @return 0 without stale reads
	 */
	long maxBehind() {
		return this.maxBehind;
	}

	/**
	 * Return how many measured operations threw, or read another row.
	 * @return the count
	 */
	long errors() {
		return this.errors;
	}

	private static Histogram newHistogram() {
		return new Histogram(Duration.ofMinutes(1).toNanos(), 3);
	}

	/**
	 * What a run does: its threads, keys, mix, database and phases.
	 *
	 * @param threadsPerNode application threads per node
	 * @param keys how many keys (rows) there are
	 * @param zipf the distribution of keys over {@code keys}
	 * @param writePercent how many operations in a hundred are writes
	 * @param queryTime how long a query of the database takes
	 * @param seed the seed of every thread's random source
	 * @param warmupOperations operations before measuring, over all threads
	 * @param warmupLimit the longest the warm-up may last
	 * @param measuredOperations operations measured, over all threads
	 * @param measureLimit the longest the measured operations may last
	 */
	record Workload(int threadsPerNode, int keys, Zipf zipf, int writePercent, Duration queryTime, long seed,
			int warmupOperations, Duration warmupLimit, int measuredOperations, Duration measureLimit) {

	}

	/**
	 * The hand-overs between the threads of a run and the thread that times it.
	 */
	private static final class Phases {

		private final int threads;

		private final CountDownLatch warmedUp;

		private final CountDownLatch measure = new CountDownLatch(1);

		private final CountDownLatch measured;

		private final AtomicBoolean stopWarmup = new AtomicBoolean();

		private final AtomicBoolean stopMeasure = new AtomicBoolean();

		private final AtomicInteger described = new AtomicInteger();

		Phases(int threads) {
			this.threads = threads;
			this.warmedUp = new CountDownLatch(threads);
			this.measured = new CountDownLatch(threads);
		}

	}

	/**
	 * One application thread on one node: a write updates the row and then evicts the
	 * key, as an application's {@code @CacheEvict} after a save does; a read goes through
	 * {@code Cache.get(key, Callable)} and is judged against the writes completed before
	 * it began.
	 */
	private static final class Worker implements Runnable {

		private final String name;

		private final Cache cache;

		private final VersionedDatabase database;

		private final Workload workload;

		private final SplittableRandom random;

		private final Phases phases;

		private final Histogram reads = newHistogram();

		private final Histogram writes = newHistogram();

		private long stale;

		private long maxBehind;

		private long errors;

		Worker(String name, Cache cache, VersionedDatabase database, Workload workload, SplittableRandom random,
				Phases phases) {
			this.name = name;
			this.cache = cache;
			this.database = database;
			this.workload = workload;
			this.random = random;
			this.phases = phases;
		}

		@Override
		public void run() {
			boolean warmedUp = false;
			try {
				operate(this.workload.warmupOperations() / this.phases.threads, this.phases.stopWarmup, false);
				this.phases.warmedUp.countDown();
				warmedUp = true;
				this.phases.measure.await();
				operate(this.workload.measuredOperations() / this.phases.threads, this.phases.stopMeasure, true);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				if (!warmedUp) {
					this.phases.warmedUp.countDown();
				}
				this.phases.measured.countDown();
			}
		}

		private void operate(int operations, AtomicBoolean stop, boolean measured) {
			for (int i = 0; i < operations && !stop.get(); i++) {
				int id = this.workload.zipf().next(this.random);
				boolean write = this.random.nextInt(100) < this.workload.writePercent();
				long behind = 0;
				String failure = null;
				long start = System.nanoTime();
				try {
					behind = write ? write(id) : read(id);
				}
				catch (RuntimeException ex) {
					failure = ex.toString();
				}
				long elapsed = System.nanoTime() - start;
				if (!measured) {
					continue;
				}
				Histogram histogram = write ? this.writes : this.reads;
				histogram.recordValue(Math.min(elapsed, histogram.getHighestTrackableValue()));
				if (failure != null || behind < 0) {
					this.errors++;
					describe(key(id) + ": " + ((failure != null) ? failure : "another row returned"));
				}
				else if (behind > 0) {
					this.stale++;
					this.maxBehind = Math.max(this.maxBehind, behind);
					describe(
							"stale read of " + key(id) + ", " + behind + " version(s) behind the last completed write");
				}
			}
		}

		private long write(int id) {
			long version = this.database.update(id);
			this.cache.evict(key(id));
			this.database.completed(id, version);
			return 0;
		}

		/**
		 * Read through the cache.
		 * @return how many versions the read was behind the last write completed before
		 * it began (0 if fresh), or -1 for a wrong row
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
			if (this.phases.described.incrementAndGet() <= DESCRIBED) {
				System.err.println(this.name + ": " + what);
			}
		}

		private static String key(int id) {
			return "row-" + id;
		}

	}

}
