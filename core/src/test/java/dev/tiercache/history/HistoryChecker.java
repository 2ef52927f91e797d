package dev.tiercache.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.tiercache.history.History.Fault;
import dev.tiercache.history.History.Kind;
import dev.tiercache.history.History.Load;
import dev.tiercache.history.History.Operation;
import dev.tiercache.history.History.Value;
import dev.tiercache.history.History.Window;
import dev.tiercache.history.Timelines.Sources;
import dev.tiercache.history.Timelines.Writes;
import org.jspecify.annotations.Nullable;

/**
 * Checks a {@link History} against the design's invariants, all at once, and reports
 * every violation with the operations involved. Only real-time order counts: a write
 * bounds a read only if it completed before the read was invoked, so a read concurrent
 * with a write may return the old value or the new one.
 *
 * <ol>
 * <li><b>No stale read.</b> A read that began after a write W of key k completed returns
 * no value older than W. A loaded value is older if the load read the database before W
 * changed it (its version is below W's version; for a clear, below the version each key
 * had when the clear began); a put's value is older if that put completed before W began
 * (puts that overlap may land in either order).</li>
 * <li><b>One load per key between writes.</b> Two loads of k with no write of k
 * overlapping the time from the earlier of their calls to the second one's start, while
 * membership was stable, are one load too many.</li>
 * <li><b>Nothing evicted or cleared comes back.</b> After an evict of k (or a clear)
 * completed, a read returns no value unless a load of k started after the eviction began,
 * or a put of k was still under way when it began.</li>
 * <li><b>No request failed.</b> No operation threw.</li>
 * </ol>
 *
 * A member cut off from the others may miss invalidations: its reads that a write
 * completed after the cut made stale are tolerated, counted and measured, and fail only
 * if they are staler than {@code hot-ttl}; writes made on it while it was cut off bound
 * nothing.
 *
 * <p>
 * While the shared remote store does not answer ({@link History#outage}), a write that
 * overlaps the outage may reach the store and the other nodes only when the outage ends
 * (its eviction is replayed then): a read invoked before the window ends may return the
 * value such a write replaced, or a value it evicted; such reads are tolerated, counted
 * and measured. A read invoked after the window ended, or made stale by a write that did
 * not overlap an outage, is a violation as always. Loads may repeat during an outage.
 * {@link History#event Events} excuse nothing.
 *
 * @author tiercache
 */
public final class HistoryChecker {

	public static final String CONSISTENT = "0. history is consistent";

	public static final String STALE = "1. no stale read";

	public static final String ONE_LOAD = "2. one load per key between writes";

	public static final String RESURRECTED = "3. nothing evicted or cleared comes back";

	public static final String FAILED = "4. no request failed";

	private final long hotTtl;

	private final List<Operation> operations;

	private final List<Load> loads;

	private final List<Window> windows;

	private final Map<Long, Operation> byId = new HashMap<>();

	private final Map<Long, Load> loadsById = new HashMap<>();

	private final Map<String, Writes> writes = new HashMap<>();

	private final Map<String, Writes> removals = new HashMap<>();

	private final Map<String, Writes> firmWrites = new HashMap<>();

	private final Map<String, Writes> firmRemovals = new HashMap<>();

	private final long[] outageTolerated = new long[4];

	private final Map<String, Sources> sources = new HashMap<>();

	private final List<Violation> violations = new ArrayList<>();

	private final Map<String, long[]> tolerated = new HashMap<>();

	private HistoryChecker(History history, Duration hotTtl) {
		this.hotTtl = hotTtl.toNanos();
		this.operations = history.operations();
		this.loads = history.loads();
		this.windows = history.windows();
		this.operations.forEach((operation) -> this.byId.put(operation.id(), operation));
		this.loads.forEach((load) -> this.loadsById.put(load.id(), load));
		TreeSet<String> keys = new TreeSet<>();
		this.operations.forEach((operation) -> {
			keys.add(operation.key());
			keys.addAll(operation.floors().keySet());
		});
		for (String key : keys) {
			List<Operation> bounding = this.operations.stream()
				.filter((w) -> w.kind().isWrite() && w.covers(key) && w.failure() == null && !cutOffWhile(w))
				.toList();
			this.writes.put(key, new Writes(bounding, key));
			this.removals.put(key, new Writes(bounding.stream().filter((w) -> w.kind() != Kind.PUT).toList(), key));
			List<Operation> firm = bounding.stream().filter((w) -> outageOf(w) == null).toList();
			this.firmWrites.put(key, new Writes(firm, key));
			this.firmRemovals.put(key, new Writes(firm.stream().filter((w) -> w.kind() != Kind.PUT).toList(), key));
			this.sources.put(key, new Sources(key, this.operations, this.loads));
		}
	}

	/**
	 * Check {@code history}; a cut-off member's staleness may reach {@code hotTtl}.
	 */
	public static Report check(History history, Duration hotTtl) {
		HistoryChecker checker = new HistoryChecker(history, hotTtl);
		checker.operations.forEach(checker::checkOperation);
		long extraLoads = checker.checkLoads();
		return new Report(checker.violations, checker.summary(extraLoads));
	}

	private void checkOperation(Operation operation) {
		if (operation.failure() != null) {
			violation(FAILED, operation + "\n      " + stackTop(operation.failure()));
			return;
		}
		if (operation.returned() == null || operation.kind().isWrite()) {
			return;
		}
		Value value = History.parse(operation.returned());
		Load load = (value != null) ? this.loadsById.get(value.origin()) : null;
		Operation put = (value != null) ? this.byId.get(value.origin()) : null;
		if (value == null || !value.key().equals(operation.key()) || (load == null && put == null)) {
			violation(STALE, "a value that no load or put of this key made: " + operation);
			return;
		}
		long made = (load != null) ? load.started() : put.invoked();
		if (made > operation.completed()
				|| (put != null && put.kind() != Kind.PUT && put.kind() != Kind.PUT_IF_ABSENT)) {
			violation(CONSISTENT, "read returned a value made later or by a non-write: " + operation);
			return;
		}
		Window cut = cutOff(operation);
		long strictly = (cut != null) ? Math.min(cut.started(), operation.invoked()) : operation.invoked();
		String origin = (load != null) ? load.toString() : put.toString();
		Operation stale = olderThanAWrite(this.firmWrites, operation.key(), load, put, strictly);
		Operation evicted = evictedBefore(this.firmRemovals, operation, strictly);
		if (stale == null) {
			stale = deferred(operation, olderThanAWrite(this.writes, operation.key(), load, put, strictly), 0);
		}
		if (evicted == null) {
			evicted = deferred(operation, evictedBefore(this.removals, operation, strictly), 1);
		}
		if (stale != null) {
			violation(STALE, describe(operation, origin, stale));
		}
		if (evicted != null) {
			violation(RESURRECTED, describe(operation, origin, evicted) + "; no load or put of the key since");
		}
		if (cut != null && stale == null && evicted == null) {
			Operation late = olderThanAWrite(this.writes, operation.key(), load, put, operation.invoked());
			late = (late != null) ? late : evictedBefore(this.removals, operation, operation.invoked());
			if (late != null) {
				long lag = operation.invoked() - late.completed();
				long[] measured = this.tolerated.computeIfAbsent(operation.node(), (node) -> new long[2]);
				measured[0]++;
				measured[1] = Math.max(measured[1], lag);
				if (lag > this.hotTtl) {
					violation(STALE, "staler than hot-ttl on a cut-off member: " + describe(operation, origin, late));
				}
			}
		}
	}

	/**
	 * A write that {@code read} is stale against (or that evicted what it returned) and
	 * that overlapped an outage: {@code null}, counted as tolerated, if the read was
	 * invoked before the outage's window ended, else the write.
	 * @param kind 0 for a stale read, 1 for a value back after an eviction
	 */
	private @Nullable Operation deferred(Operation read, @Nullable Operation write, int kind) {
		if (write == null) {
			return null;
		}
		Window outage = outageOf(write);
		if (outage == null || read.invoked() > outage.ended()) {
			return write;
		}
		this.outageTolerated[kind]++;
		if (read.node().equals(write.node())) {
			this.outageTolerated[2]++;
		}
		this.outageTolerated[3] = Math.max(this.outageTolerated[3], read.invoked() - write.completed());
		return null;
	}

	/** The outage that {@code write} overlapped (the last to end), if any. */
	private @Nullable Window outageOf(Operation write) {
		return this.windows.stream()
			.filter((window) -> window.fault() == Fault.OUTAGE && window.overlaps(write.invoked(), write.completed()))
			.max(Comparator.comparingLong(Window::ended))
			.orElse(null);
	}

	/**
	 * The first write, among those completed before {@code before}, that the value (made
	 * by {@code load} or {@code put}) is older than.
	 */
	private @Nullable Operation olderThanAWrite(Map<String, Writes> writes, String key, @Nullable Load load,
			@Nullable Operation put, long before) {
		Writes bounds = writes.get(key);
		int count = bounds.completedBefore(before);
		return (load != null) ? bounds.firstFloorAbove(load.version(), count)
				: bounds.firstInvokedAfter(put.completed(), count);
	}

	/**
	 * The latest-starting evict or clear of the read's key completed before
	 * {@code before} after whose start no load of the key started and no put of it was
	 * under way before the read completed, if any.
	 */
	private @Nullable Operation evictedBefore(Map<String, Writes> removals, Operation read, long before) {
		Writes evictions = removals.get(read.key());
		Operation latest = evictions.latestInvoked(evictions.completedBefore(before));
		if (latest == null || this.sources.get(read.key()).anyBetween(latest.invoked(), read.completed())) {
			return null;
		}
		return latest;
	}

	/**
	 * Group each key's loads into runs with no write of the key and no fault between
	 * consecutive ones; a run of n loads has n - 1 too many.
	 * @return how many loads were too many
	 */
	private long checkLoads() {
		Map<String, List<Load>> byKey = new HashMap<>();
		this.loads.forEach((load) -> byKey.computeIfAbsent(load.key(), (key) -> new ArrayList<>()).add(load));
		long extra = 0;
		for (Map.Entry<String, List<Load>> entry : new TreeMap<>(byKey).entrySet()) {
			List<Operation> disturbances = this.operations.stream()
				.filter((w) -> w.kind().isWrite() && w.covers(entry.getKey()))
				.sorted(Comparator.comparingLong(Operation::invoked))
				.toList();
			long[] invoked = disturbances.stream().mapToLong(Operation::invoked).toArray();
			long[] completedMax = Timelines.prefixMax(disturbances, Operation::completed);
			List<Load> run = new ArrayList<>();
			for (Load load : entry.getValue()) {
				if (!run.isEmpty() && !disturbed(run.get(run.size() - 1), load, invoked, completedMax)) {
					run.add(load);
					continue;
				}
				extra += reportRun(run);
				run = new ArrayList<>(List.of(load));
			}
			extra += reportRun(run);
		}
		return extra;
	}

	/**
	 * Whether a write or a fault may explain the second load: from when the earlier of
	 * the two loads' operations was invoked until the second load started. A lease may be
	 * granted well before its loader runs, and a write in between cancels it; the holder
	 * still loads, and so may the next caller.
	 */
	private boolean disturbed(Load previous, Load next, long[] invoked, long[] completedMax) {
		long from = Math.min(invokedOf(previous), invokedOf(next));
		int count = Timelines.upperBound(invoked, next.started());
		if (count > 0 && completedMax[count - 1] >= from) {
			return true;
		}
		return this.windows.stream()
			.anyMatch((window) -> window.fault() != Fault.EVENT && window.overlaps(from, next.completed()));
	}

	private long invokedOf(Load load) {
		Operation operation = this.byId.get(load.operation());
		return (operation != null) ? Math.min(operation.invoked(), load.started()) : load.started();
	}

	private int reportRun(List<Load> run) {
		if (run.size() > 1) {
			violation(ONE_LOAD,
					run.size() + " loads of " + run.get(0).key() + " with no write between them "
							+ "while membership was stable:\n      "
							+ String.join("\n      ",
									run.stream()
										.limit(6)
										.map((load) -> load + " by " + this.byId.get(load.operation()))
										.toList()));
			return run.size() - 1;
		}
		return 0;
	}

	/** Writes made on a member while it was cut off bound nothing: they may be lost. */
	private boolean cutOffWhile(Operation write) {
		return this.windows.stream()
			.anyMatch((window) -> window.fault() == Fault.CUT_OFF && write.node().equals(window.node())
					&& window.overlaps(write.invoked(), write.completed()));
	}

	/** The cut-off window of the read's member that the read overlaps (plus hot-ttl). */
	private @Nullable Window cutOff(Operation read) {
		return this.windows.stream()
			.filter((window) -> window.fault() == Fault.CUT_OFF && read.node().equals(window.node())
					&& read.completed() > window.started() && read.invoked() <= window.ended() + this.hotTtl)
			.findFirst()
			.orElse(null);
	}

	private String describe(Operation read, String origin, Operation write) {
		List<String> context = new ArrayList<>();
		if (read.node().equals(write.node())) {
			context.add("read on the writer");
		}
		this.windows.stream()
			.filter((window) -> window.overlaps(write.invoked(), read.completed()))
			.forEach((window) -> context.add("during " + window.cause()));
		return String.format("%s%n      returned the value of %s%n      %.1f ms after %s completed%s", read, origin,
				(read.invoked() - write.completed()) / 1e6, write,
				context.isEmpty() ? "" : "\n      (" + String.join("; ", context) + ")");
	}

	private void violation(String invariant, String message) {
		this.violations.add(new Violation(invariant, message));
	}

	private String summary(long extraLoads) {
		Map<Kind, Long> kinds = new EnumMap<>(Kind.class);
		this.operations.forEach((operation) -> kinds.merge(operation.kind(), 1L, Long::sum));
		StringBuilder summary = new StringBuilder();
		summary.append(this.operations.size()).append(" operations ").append(kinds).append(", ");
		summary.append(this.loads.size()).append(" loads (").append(extraLoads).append(" too many)");
		this.windows.forEach((window) -> summary.append("\n  fault: ").append(window));
		if (this.outageTolerated[0] + this.outageTolerated[1] > 0) {
			summary.append(String.format(
					"%n  tolerated during outages: %d stale reads and %d evicted values back (%d on the writer), "
							+ "at most %.1f ms after the write completed",
					this.outageTolerated[0], this.outageTolerated[1], this.outageTolerated[2],
					this.outageTolerated[3] / 1e6));
		}
		this.tolerated.forEach((node, measured) -> summary
			.append(String.format("%n  tolerated on cut-off %s: %d stale reads, at most %.1f ms stale (hot-ttl %d ms)",
					node, measured[0], measured[1] / 1e6, this.hotTtl / 1_000_000)));
		return summary.toString();
	}

	private static String stackTop(Throwable failure) {
		return Arrays.stream(failure.getStackTrace()).limit(4).map(String::valueOf).toList().toString();
	}

	/**
	 * One broken invariant, with the operations that show it.
	 */
	public record Violation(String invariant, String message) {
	}

	/**
	 * The violations found and a summary of the history.
	 */
	public record Report(List<Violation> violations, String summary) {

		/** The violations, grouped by invariant, at most {@code perInvariant} of each. */
		public String describe(int perInvariant) {
			Map<String, List<Violation>> grouped = new TreeMap<>();
			this.violations.forEach((v) -> grouped.computeIfAbsent(v.invariant(), (i) -> new ArrayList<>()).add(v));
			StringBuilder text = new StringBuilder(this.summary);
			grouped.forEach((invariant, list) -> {
				text.append("\n").append(invariant).append(": ").append(list.size()).append(" violation(s)");
				list.stream().limit(perInvariant).forEach((v) -> text.append("\n    ").append(v.message()));
			});
			return text.toString();
		}

	}

}
