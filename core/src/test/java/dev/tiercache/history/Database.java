package dev.tiercache.history;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The database behind the cache in a history test: one row per key holding only a
 * version, which every write increments. A loader reads the row and returns a value that
 * names the version it read and the load itself ({@link History#value}); each run of a
 * loader is recorded in the history.
 *
 * <p>
 * A loader may be shaped to widen the interleavings that break caches: it may pause
 * before it reads, or (a <em>late</em> load) read and then wait until a write of the same
 * key has completed, or a bound has passed, before it returns, so that its stale value
 * reaches the cache after the write. These waits only shape the runs; the checker never
 * relies on them.
 *
 * @author tiercache
 */
public final class Database {

	private final Map<String, Row> rows = new LinkedHashMap<>();

	private final History history;

	private final long lateBoundNanos;

	public Database(List<String> keys, History history, Duration lateBound) {
		keys.forEach((key) -> this.rows.put(key, new Row()));
		this.history = history;
		this.lateBoundNanos = lateBound.toNanos();
	}

	public List<String> keys() {
		return List.copyOf(this.rows.keySet());
	}

	/**
	 * Change the row of {@code key}.
	 * @return the version it has now
	 */
	public long update(String key) {
		return row(key).update();
	}

	public long version(String key) {
		return row(key).read();
	}

	/**
	 * Every key's version, each read in turn (not one snapshot): a lower bound of what a
	 * load that starts after this call returns may read.
	 */
	public Map<String, Long> versions() {
		Map<String, Long> versions = new LinkedHashMap<>();
		this.rows.forEach((key, row) -> versions.put(key, row.read()));
		return versions;
	}

	/**
	 * The cache operation of a write of {@code key} has returned: wake late loads.
	 */
	public void writeCompleted(String key) {
		row(key).completed();
	}

	/**
	 * A {@code clear()} has returned: wake every late load.
	 */
	public void clearCompleted() {
		this.rows.values().forEach(Row::completed);
	}

	/**
	 * A loader for {@code key}, run on {@code node} for operation {@code operation}.
	 * @param pauseNanos how long to pause before reading the row (0: not at all)
	 * @param late whether to wait, after reading, for a write of the key to complete
	 */
	public Callable<String> loader(String node, String key, long operation, long pauseNanos, boolean late) {
		return () -> {
			long id = this.history.nextId();
			long started = System.nanoTime();
			if (pauseNanos > 0) {
				LockSupport.parkNanos(pauseNanos);
			}
			Row row = row(key);
			long[] read = row.readWithWrites();
			if (late) {
				row.awaitWriteAfter(read[1], this.lateBoundNanos);
			}
			this.history.record(new History.Load(id, operation, node, key, started, System.nanoTime(), read[0]));
			return History.value(key, read[0], id);
		};
	}

	private Row row(String key) {
		Row row = this.rows.get(key);
		if (row == null) {
			throw new IllegalArgumentException("No row for key '" + key + "'");
		}
		return row;
	}

	private static final class Row {

		private long version;

		private long writesCompleted;

		synchronized long update() {
			return ++this.version;
		}

		synchronized long read() {
			return this.version;
		}

		synchronized long[] readWithWrites() {
			return new long[] { this.version, this.writesCompleted };
		}

		synchronized void completed() {
			this.writesCompleted++;
			notifyAll();
		}

		synchronized void awaitWriteAfter(long seen, long boundNanos) throws InterruptedException {
			long deadline = System.nanoTime() + boundNanos;
			while (this.writesCompleted == seen) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return;
				}
				TimeUnit.NANOSECONDS.timedWait(this, remaining);
			}
		}

	}

}
