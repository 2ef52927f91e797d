package dev.tiercache.remote.redis;

import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import dev.tiercache.TierCache;

import static org.awaitility.Awaitility.await;

/**
 * Readers and a writer on several nodes' caches over a database the test owns, one
 * version per key: each reader calls {@code get(key, loader)} on its node, the loader
 * returning the key's version (and counting loads); the writer increments a random key's
 * version, then evicts it on a random node. A read is stale when it returns a version
 * older than one whose "update, then evict" had returned before the read began. Stale
 * reads are counted by phase: before a fault, during it, and after the test declared the
 * system {@linkplain #settled() settled}; only the last ones are failures, and the first
 * of them are described with what Redis held for the key right after.
 */
final class ReadWriteLoad {

	private static final int LISTED = 20;

	private final List<TierCache> nodes;

	private final int readers;

	private final IntFunction<String> redisHolds;

	private final AtomicLongArray database;

	/** The highest version of each key whose "update, then evict" has returned. */
	private final AtomicLongArray written;

	private final AtomicLongArray writtenAt;

	private final AtomicLong reads = new AtomicLong();

	private final AtomicLong writes = new AtomicLong();

	private final AtomicLong loads = new AtomicLong();

	private final AtomicLong slowest = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong staleBefore = new AtomicLong();

	private final AtomicLong staleDuring = new AtomicLong();

	private final AtomicLong staleAfter = new AtomicLong();

	/** Stale reads after the system settled, by half second since. */
	private final AtomicLongArray staleAfterByHalfSecond = new AtomicLongArray(40);

	private final Queue<String> failures = new ConcurrentLinkedQueue<>();

	private final Queue<String> staleReads = new ConcurrentLinkedQueue<>();

	private final List<String> stuck = new ArrayList<>();

	private final List<Thread> threads = new ArrayList<>();

	private final long origin = System.nanoTime();

	/** The wall clock at {@link #origin}, to match the times given with the logs. */
	private final LocalTime originClock = LocalTime.now();

	private volatile long faultStarted = Long.MAX_VALUE;

	private volatile long faultAgreed = Long.MAX_VALUE;

	private volatile long settled = Long.MAX_VALUE;

	private volatile boolean running;

	/** When the write in progress began; {@code Long.MAX_VALUE} between writes. */
	private volatile long writing = Long.MAX_VALUE;

	/**
	 * @param nodes the nodes' caches
	 * @param keys how many keys (integers from 0)
	 * @param readers how many reader threads, spread over the nodes
	 * @param redisHolds what Redis holds for a key, to describe stale reads
	 */
	ReadWriteLoad(List<TierCache> nodes, int keys, int readers, IntFunction<String> redisHolds) {
		this.nodes = nodes;
		this.readers = readers;
		this.redisHolds = redisHolds;
		this.database = new AtomicLongArray(keys);
		this.written = new AtomicLongArray(keys);
		this.writtenAt = new AtomicLongArray(keys);
	}

	/**
	 * Start the readers and the writer, and let them run for {@code warmUp}.
	 */
	void start(Duration warmUp) {
		this.running = true;
		for (int i = 0; i < this.readers; i++) {
			TierCache node = this.nodes.get(i % this.nodes.size());
			SplittableRandom random = new SplittableRandom(i);
			this.threads.add(thread("reader-" + i, () -> read(node, random)));
		}
		this.threads.add(thread("writer", () -> write(new SplittableRandom(-1))));
		runFor(warmUp);
	}

	private static Thread thread(String name, Runnable body) {
		Thread thread = new Thread(body, name);
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	void runFor(Duration duration) {
		LockSupport.parkNanos(duration.toNanos());
	}

	void faultStarts() {
		this.faultStarted = System.nanoTime();
	}

	/**
	 * The sentinels, or the cluster's nodes, agree on the new master.
	 */
	void faultAgreed() {
		this.faultAgreed = System.nanoTime();
	}

	/**
	 * Wait (at most 10 s) until the write in progress, if it began before now, has
	 * returned. A write sent during the fault is part of it: one sent to a master that
	 * just died times out after the command timeout, and is replayed later.
	 */
	void awaitWriteBegunEarlier() {
		long now = System.nanoTime();
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(() -> this.writing > now);
	}

	/**
	 * From now on, no read may be stale.
	 */
	void settled() {
		this.settled = System.nanoTime();
	}

	private void read(TierCache node, SplittableRandom random) {
		while (this.running) {
			int key = random.nextInt(this.written.length());
			long floor = this.written.get(key);
			long began = System.nanoTime();
			try {
				Long version = node.get(key, () -> {
					this.loads.incrementAndGet();
					return this.database.get(key);
				});
				if (version != null && version < floor) {
					stale(began, key, "key " + key + " on " + name(node) + " at " + at(began) + ": v" + version
							+ ", but v" + floor + " was written at " + at(this.writtenAt.get(key)));
				}
			}
			catch (RuntimeException ex) {
				failed("get(" + key + ") on " + name(node) + " at " + at(began) + ": " + ex);
			}
			this.slowest.accumulateAndGet(System.nanoTime() - began, Math::max);
			this.reads.incrementAndGet();
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
	}

	private void write(SplittableRandom random) {
		while (this.running) {
			int key = random.nextInt(this.written.length());
			TierCache node = this.nodes.get(random.nextInt(this.nodes.size()));
			long began = System.nanoTime();
			this.writing = began;
			long version = this.database.incrementAndGet(key);
			try {
				node.evict(key);
			}
			catch (RuntimeException ex) {
				failed("evict(" + key + ") on " + name(node) + " at " + at(began) + ": " + ex);
			}
			this.written.accumulateAndGet(key, version, Math::max);
			this.writtenAt.set(key, System.nanoTime());
			this.writing = Long.MAX_VALUE;
			this.slowest.accumulateAndGet(System.nanoTime() - began, Math::max);
			this.writes.incrementAndGet();
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
		}
	}

	/**
	 * Stop the readers and the writer, and wait (at most 10 s each) for their last
	 * requests.
	 */
	void stop() throws InterruptedException {
		if (!this.running) {
			return;
		}
		this.running = false;
		for (Thread thread : this.threads) {
			thread.join(10_000);
			if (thread.isAlive()) {
				this.stuck.add(thread.getName() + " at " + List.of(thread.getStackTrace()).subList(0, 10));
			}
		}
	}

	private void failed(String failure) {
		this.failed.incrementAndGet();
		if (this.failures.size() < LISTED) {
			this.failures.add(failure);
		}
	}

	private void stale(long began, int key, String read) {
		if (began >= this.settled) {
			this.staleAfter.incrementAndGet();
			int halfSeconds = (int) (TimeUnit.NANOSECONDS.toMillis(began - this.settled) / 500);
			this.staleAfterByHalfSecond
				.incrementAndGet(Math.min(halfSeconds, this.staleAfterByHalfSecond.length() - 1));
			if (this.staleReads.size() < LISTED) {
				this.staleReads.add(read + "; then " + this.redisHolds.apply(key));
			}
		}
		else if (began >= this.faultStarted) {
			this.staleDuring.incrementAndGet();
		}
		else {
			this.staleBefore.incrementAndGet();
		}
	}

	/**
	 * The first requests that threw.
	 */
	List<String> failures() {
		return List.copyOf(this.failures);
	}

	long failed() {
		return this.failed.get();
	}

	/**
	 * The first stale reads after the system settled.
	 */
	List<String> staleReads() {
		return List.copyOf(this.staleReads);
	}

	long staleAfter() {
		return this.staleAfter.get();
	}

	/**
	 * The readers and the writer still in a request 10 s after {@link #stop()}.
	 */
	List<String> stuck() {
		return this.stuck;
	}

	private String name(TierCache node) {
		return "node-" + this.nodes.indexOf(node);
	}

	private String at(long nanos) {
		return (nanos == Long.MAX_VALUE) ? "-" : String.format("%.3fs", (nanos - this.origin) / 1e9);
	}

	String summary() {
		return String.format(
				"times from %s; %d reads, %d loads, %d writes; fault from %s, new master agreed at %s, settled at %s; stale reads "
						+ "before %d, during %d, after %d, by half second after: %s; slowest request %d ms; %d failed",
				this.originClock, this.reads.get(), this.loads.get(), this.writes.get(), at(this.faultStarted),
				at(this.faultAgreed), at(this.settled), this.staleBefore.get(), this.staleDuring.get(),
				this.staleAfter.get(), this.staleAfterByHalfSecond, TimeUnit.NANOSECONDS.toMillis(this.slowest.get()),
				this.failed.get());
	}

}
