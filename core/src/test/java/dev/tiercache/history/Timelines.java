package dev.tiercache.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

import dev.tiercache.history.History.Kind;
import dev.tiercache.history.History.Load;
import dev.tiercache.history.History.Operation;
import org.jspecify.annotations.Nullable;

/**
 * Per-key indexes over a history, sorted once, that answer {@link HistoryChecker}'s
 * questions about one read by binary search rather than a scan of every write.
 *
 * @author tiercache
 */
final class Timelines {

	private Timelines() {
	}

	static long[] prefixMax(List<Operation> operations, ToLongFunction<Operation> value) {
		long[] max = new long[operations.size()];
		for (int i = 0; i < max.length; i++) {
			max[i] = Math.max((i > 0) ? max[i - 1] : Long.MIN_VALUE, value.applyAsLong(operations.get(i)));
		}
		return max;
	}

	/** How many of the sorted {@code values} are at most {@code limit}. */
	static int upperBound(long[] values, long limit) {
		return upperBound(values, limit, values.length);
	}

	/**
	 * How many of the first {@code count} sorted {@code values} are at most
	 * {@code limit}.
	 */
	static int upperBound(long[] values, long limit, int count) {
		int low = 0;
		int high = count;
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (values[middle] <= limit) {
				low = middle + 1;
			}
			else {
				high = middle;
			}
		}
		return low;
	}

	/**
	 * The first index below {@code count} whose non-decreasing value exceeds
	 * {@code limit}.
	 */
	static int firstAbove(long[] values, long limit, int count) {
		int index = upperBound(values, limit, count);
		return (index < count) ? index : -1;
	}

	/**
	 * The writes that bound reads of one key, ordered by completion, with running maxima
	 * of their floors and start times: the first write that makes a value stale is where
	 * the running maximum first passes it.
	 */
	static final class Writes {

		private final List<Operation> writes;

		private final long[] completed;

		private final long[] floorMax;

		private final long[] invokedMax;

		Writes(List<Operation> writes, String key) {
			this.writes = writes.stream().sorted(Comparator.comparingLong(Operation::completed)).toList();
			this.completed = this.writes.stream().mapToLong(Operation::completed).toArray();
			this.floorMax = prefixMax(this.writes, (write) -> write.floor(key));
			this.invokedMax = prefixMax(this.writes, Operation::invoked);
		}

		int completedBefore(long time) {
			return upperBound(this.completed, time - 1);
		}

		@Nullable Operation firstFloorAbove(long version, int count) {
			int index = firstAbove(this.floorMax, version, count);
			return (index >= 0) ? this.writes.get(index) : null;
		}

		@Nullable Operation firstInvokedAfter(long time, int count) {
			int index = firstAbove(this.invokedMax, time, count);
			return (index >= 0) ? this.writes.get(index) : null;
		}

		@Nullable Operation latestInvoked(int count) {
			if (count == 0) {
				return null;
			}
			return this.writes.get(firstAbove(this.invokedMax, this.invokedMax[count - 1] - 1, count));
		}

	}

	/**
	 * What can put a value of one key into the cache: loads (from when they started) and
	 * puts (from when they were invoked until they completed).
	 */
	static final class Sources {

		private final long[] until;

		private final long[] fromMin;

		Sources(String key, List<Operation> operations, List<Load> loads) {
			List<long[]> spans = new ArrayList<>();
			loads.stream()
				.filter((load) -> load.key().equals(key))
				.forEach((load) -> spans.add(new long[] { load.started(), load.started() }));
			// A putIfAbsent that returned a value stored nothing.
			operations.stream()
				.filter((op) -> op.key().equals(key)
						&& (op.kind() == Kind.PUT || (op.kind() == Kind.PUT_IF_ABSENT && op.returned() == null)))
				.forEach((op) -> spans.add(new long[] { op.invoked(), op.completed() }));
			spans.sort(Comparator.comparingLong((span) -> span[1]));
			this.until = spans.stream().mapToLong((span) -> span[1]).toArray();
			this.fromMin = new long[spans.size()];
			for (int i = spans.size() - 1; i >= 0; i--) {
				this.fromMin[i] = Math.min((i < spans.size() - 1) ? this.fromMin[i + 1] : Long.MAX_VALUE,
						spans.get(i)[0]);
			}
		}

		/**
		 * Whether a source was under way after {@code after} and began before
		 * {@code before}.
		 */
		boolean anyBetween(long after, long before) {
			int first = upperBound(this.until, after);
			return first < this.until.length && this.fromMin[first] < before;
		}

	}

}
