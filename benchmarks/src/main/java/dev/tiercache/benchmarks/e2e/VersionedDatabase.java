package dev.tiercache.benchmarks.e2e;

import java.io.Serializable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The database behind the workload benchmark: one versioned row per key, and a ledger of
 * the writes that have completed, so that a read can be judged stale.
 *
 * <p>
 * A query reads the row's version first and then takes {@code latency} to come back (the
 * thread parks, it does not spin), which is the widest window a real query leaves for a
 * write to overtake it: a cache that stores such a result after the write's eviction
 * serves the old row from then on. A write bumps the version at once; the application
 * then evicts the key and, once the eviction has returned, the write is complete
 * ({@link #completed}). A read that begins after a write completed and returns an older
 * version is stale.
 *
 * @author tiercache
 */
final class VersionedDatabase {

	private final AtomicLongArray versions;

	/** Per row, the highest version whose write (update and eviction) has returned. */
	private final AtomicLongArray completed;

	private final long latencyNanos;

	private final LongAdder queries = new LongAdder();

	VersionedDatabase(int rows, Duration latency) {
		this.versions = new AtomicLongArray(rows);
		this.completed = new AtomicLongArray(rows);
		this.latencyNanos = latency.toNanos();
	}

	/**
	 * Query row {@code id}, as the cache's loader does.
	 * @param id the row
	 * @return the row as it was when the query read it
	 */
	Row query(int id) {
		long version = this.versions.get(id);
		this.queries.increment();
		long deadline = System.nanoTime() + this.latencyNanos;
		for (long left = this.latencyNanos; left > 0; left = deadline - System.nanoTime()) {
			LockSupport.parkNanos(left);
		}
		return new Row(id, version, new byte[1000]);
	}

	/**
	 * Update row {@code id}; the caller evicts the key next and then reports the write
	 * {@link #completed}.
	 * @param id the row
	 * @return the row's new version
	 */
	long update(int id) {
		return this.versions.incrementAndGet(id);
	}

	/**
	 * Record that the write of {@code version} of row {@code id} has completed: updated,
	 * and evicted from the cache.
	 * @param id the row
	 * @param version the version the write produced
	 */
	void completed(int id, long version) {
		this.completed.accumulateAndGet(id, version, Math::max);
	}

	/**
	 * Return the oldest version a read of row {@code id} that begins now may return.
	 * @param id the row
	 * @return the version of the last write of the row that has completed
	 */
	long freshest(int id) {
		return this.completed.get(id);
	}

	/**
	 * Return how many queries the database has served.
	 * @return the count so far
	 */
	long queries() {
		return this.queries.sum();
	}

	/**
	 * A row as a query returned it: about 1 KiB, like the other benchmarks' values.
	 *
	 * @param id the row's id
	 * @param version the version the query saw
	 * @param content 1,000 bytes standing in for the rest of the row
	 */
	record Row(long id, long version, byte[] content) implements Serializable {

	}

}
