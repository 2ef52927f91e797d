package dev.tiercache.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.tiercache.history.History.Operation;
import dev.tiercache.history.History.Value;
import org.jspecify.annotations.Nullable;

/**
 * Every read of a history that returned a value older than a write completed before the
 * read began, with how long the value had been stale: invariant 1 of
 * {@link HistoryChecker} for histories whose values come from loads ("update the
 * database, then evict"), without tolerating anything, so that a test can measure
 * staleness where a fault allows some and judge each stale read itself.
 *
 * <p>
 * A read's value names the database version its load read ({@link History#value}); the
 * value is stale if a write that completed before the read was invoked had installed a
 * higher version (for a clear: the version the key had when the clear began). The
 * staleness is the time from the completion of the first such write to the read's
 * invocation.
 *
 * @author tiercache
 */
public final class StaleReads {

	private StaleReads() {
	}

	/**
	 * Find the stale reads among {@code operations}, in order of invocation.
	 */
	public static List<Stale> find(List<Operation> operations) {
		Map<String, Bounds> bounds = new HashMap<>();
		List<Stale> stale = new ArrayList<>();
		for (Operation read : operations.stream().sorted(Comparator.comparingLong(Operation::invoked)).toList()) {
			Value value = History.parse(read.returned());
			if (read.kind().isWrite() || read.failure() != null || value == null) {
				continue;
			}
			Operation write = bounds.computeIfAbsent(read.key(), (key) -> new Bounds(key, operations))
				.firstAbove(value.version(), read.invoked());
			if (write != null) {
				stale.add(new Stale(read, value.version(), write));
			}
		}
		return stale;
	}

	/**
	 * A stale read.
	 *
	 * @param read the read
	 * @param version the version it returned
	 * @param write the first write (in order of completion) that made that version stale
	 */
	public record Stale(Operation read, long version, Operation write) {

		/** How long the value had been stale when the read began. */
		public long nanos() {
			return this.read.invoked() - this.write.completed();
		}

		@Override
		public String toString() {
			return String.format("%s%n      returned v%d, stale for %.1f ms since %s", this.read, this.version,
					nanos() / 1e6, this.write);
		}

	}

	/**
	 * The writes of one key in order of completion, with the running maximum of the
	 * versions they installed.
	 */
	private static final class Bounds {

		private final List<Operation> writes;

		private final long[] completed;

		private final long[] floorMax;

		Bounds(String key, List<Operation> operations) {
			this.writes = operations.stream()
				.filter((w) -> w.kind().isWrite() && w.covers(key) && w.failure() == null)
				.sorted(Comparator.comparingLong(Operation::completed))
				.toList();
			this.completed = this.writes.stream().mapToLong(Operation::completed).toArray();
			this.floorMax = Timelines.prefixMax(this.writes, (write) -> write.floor(key));
		}

		/**
		 * The first write completed before {@code before} whose version is above
		 * {@code version}, or {@code null}.
		 */
		@Nullable Operation firstAbove(long version, long before) {
			int count = Timelines.upperBound(this.completed, before - 1);
			int index = Timelines.firstAbove(this.floorMax, version, count);
			return (index >= 0) ? this.writes.get(index) : null;
		}

	}

}
