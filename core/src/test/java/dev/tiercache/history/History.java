package dev.tiercache.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * What happened in a randomized run against a cache: every operation a client made, with
 * the {@code System.nanoTime()} before it was invoked and after it returned, every run of
 * a loader, and the windows in which a fault was active. Thread-safe to record into;
 * {@link HistoryChecker} reads it once the run is over. Independent of the cache's mode.
 *
 * <p>
 * Every value the clients put into the cache names where it came from:
 * {@code key|version|id}, where {@code version} is the database version of the key it
 * holds and {@code id} is the operation (a put) or the load that produced it, so the
 * checker can trace any value a read returns back to its writer.
 *
 * @author tiercache
 */
public final class History {

	private static final long BASE = System.nanoTime();

	private final AtomicLong ids = new AtomicLong();

	private final Queue<Operation> operations = new ConcurrentLinkedQueue<>();

	private final Queue<Load> loads = new ConcurrentLinkedQueue<>();

	private final Queue<Window> windows = new ConcurrentLinkedQueue<>();

	/**
	 * Return a new identifier for an operation or a load, unique in this history.
	 */
	public long nextId() {
		return this.ids.incrementAndGet();
	}

	public void record(Operation operation) {
		this.operations.add(operation);
	}

	public void record(Load load) {
		this.loads.add(load);
	}

	/**
	 * Record that {@code node} was cut off from the others (its invalidations may be
	 * lost) from {@code started} until {@code ended}.
	 */
	public void cutOff(String node, long started, long ended) {
		this.windows.add(new Window(Fault.CUT_OFF, node, "cut off " + node, started, ended));
	}

	/**
	 * Record that membership was changing (members joining, leaving, or being found dead,
	 * and entries moving) from {@code started} until {@code ended}: loads may be repeated
	 * then.
	 */
	public void unstable(String cause, long started, long ended) {
		this.windows.add(new Window(Fault.UNSTABLE, null, cause, started, ended));
	}

	/**
	 * Record that the shared remote store (Redis) did not answer, or its answers could
	 * not yet be relied on, from {@code started} until {@code ended}: a write that
	 * overlaps the window may reach the other nodes (and the store) only when it ends, so
	 * a read invoked before {@code ended} may return the value such a write replaced, and
	 * loads may be repeated. {@code ended} is when the design promises the deferred
	 * writes to have been replayed.
	 */
	public void outage(String cause, long started, long ended) {
		this.windows.add(new Window(Fault.OUTAGE, null, cause, started, ended));
	}

	/**
	 * Record that something happened from {@code started} until {@code ended} that the
	 * design says nothing may be seen of (a node restarted, say): named in reports for
	 * context, it excuses nothing.
	 */
	public void event(String cause, long started, long ended) {
		this.windows.add(new Window(Fault.EVENT, null, cause, started, ended));
	}

	public List<Operation> operations() {
		List<Operation> sorted = new ArrayList<>(this.operations);
		sorted.sort(Comparator.comparingLong(Operation::invoked));
		return sorted;
	}

	public List<Load> loads() {
		List<Load> sorted = new ArrayList<>(this.loads);
		sorted.sort(Comparator.comparingLong(Load::started));
		return sorted;
	}

	public List<Window> windows() {
		return new ArrayList<>(this.windows);
	}

	/**
	 * Write every operation, load and fault window, in order of start, one a line, for
	 * reading a failed run.
	 */
	public void writeTo(Path file) throws IOException {
		List<Object[]> lines = new ArrayList<>();
		this.operations.forEach((operation) -> lines.add(new Object[] { operation.invoked(), operation }));
		this.loads.forEach((load) -> lines.add(new Object[] { load.started(), load }));
		this.windows.forEach((window) -> lines.add(new Object[] { window.started(), window }));
		lines.sort(Comparator.comparingLong((line) -> (long) line[0]));
		Files.write(file, lines.stream().map((line) -> String.valueOf(line[1])).toList());
	}

	/**
	 * The value a client stores for {@code key} at database {@code version}, made by
	 * operation or load {@code id}.
	 */
	public static String value(String key, long version, long id) {
		return key + "|" + version + "|" + id;
	}

	/**
	 * Parse a value made by {@link #value}, or return {@code null} if it is not one.
	 */
	public static @Nullable Value parse(@Nullable String value) {
		if (value == null) {
			return null;
		}
		String[] parts = value.split("\\|");
		if (parts.length != 3) {
			return null;
		}
		try {
			return new Value(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * What a client can do to the cache.
	 */
	public enum Kind {

		/** {@code get(key)}. */
		GET,
		/** {@code get(key, loader)}: single-flight, the loader reads the database. */
		LOAD_GET,
		/** Update the database, then {@code put(key, value)}. */
		PUT,
		/** Read the database, then {@code putIfAbsent(key, value)}. */
		PUT_IF_ABSENT,
		/** Update the database, then {@code evict(key)}. */
		EVICT,
		/** Update the database (one key), then {@code clear()}. */
		CLEAR;

		/** Whether the operation changes the database and then the cache. */
		public boolean isWrite() {
			return this == PUT || this == EVICT || this == CLEAR;
		}

	}

	/**
	 * One operation of one client.
	 *
	 * @param id unique in the history; the origin of the value a {@code PUT} or
	 * {@code PUT_IF_ABSENT} stored
	 * @param node the member (or node) the client called
	 * @param kind what it did
	 * @param key the key it read or wrote; for {@code CLEAR}, the key whose row it
	 * changed
	 * @param invoked {@code System.nanoTime()} before the call (and before the database
	 * update of a write)
	 * @param completed {@code System.nanoTime()} after the call returned
	 * @param version the database version a write installed, or that a
	 * {@code PUT_IF_ABSENT} read; 0 for reads
	 * @param floors for {@code CLEAR}: each key's database version, read after
	 * {@code invoked} and before {@code clear()} was called; empty otherwise
	 * @param returned the value a read returned ({@code PUT_IF_ABSENT}: the existing
	 * value), or {@code null}
	 * @param failure what the call threw, or {@code null}
	 */
	public record Operation(long id, String node, Kind kind, String key, long invoked, long completed, long version,
			Map<String, Long> floors, @Nullable String returned, @Nullable Throwable failure) {

		/**
		 * The database version below which no read that begins after this write completed
		 * may return a loaded value of {@code key}.
		 */
		public long floor(String key) {
			if (this.kind == Kind.CLEAR) {
				return key.equals(this.key) ? this.version : this.floors.getOrDefault(key, 0L);
			}
			return key.equals(this.key) ? this.version : 0;
		}

		public boolean covers(String key) {
			return this.kind == Kind.CLEAR || key.equals(this.key);
		}

		@Override
		public String toString() {
			return "#" + this.id + " " + this.kind + "(" + this.key + ((this.version != 0) ? ", v" + this.version : "")
					+ ") on " + this.node + " [" + millis(this.invoked) + ", " + millis(this.completed) + "]"
					+ ((this.returned != null) ? " -> " + this.returned : "")
					+ ((this.failure != null) ? " threw " + this.failure : "");
		}

	}

	/**
	 * One run of a loader.
	 *
	 * @param id unique in the history; the origin of the value the load returned
	 * @param operation the {@code LOAD_GET} whose loader this was
	 * @param node the member that ran it
	 * @param key the key
	 * @param started {@code System.nanoTime()} when the loader was called
	 * @param completed when it returned
	 * @param version the database version it read
	 */
	public record Load(long id, long operation, String node, String key, long started, long completed, long version) {

		@Override
		public String toString() {
			return "load #" + this.id + "(" + this.key + ", v" + this.version + ") on " + this.node + " for #"
					+ this.operation + " [" + millis(this.started) + ", " + millis(this.completed) + "]";
		}

	}

	/**
	 * What a {@link Window} records, and so what it excuses.
	 */
	public enum Fault {

		/** A member cut off from the others ({@link #cutOff}). */
		CUT_OFF,
		/** Membership changing ({@link #unstable}). */
		UNSTABLE,
		/** The remote store not answering ({@link #outage}). */
		OUTAGE,
		/** Context only: excuses nothing ({@link #event}). */
		EVENT

	}

	/**
	 * A time window in which a fault was active.
	 *
	 * @param fault what kind of fault
	 * @param node the member that was cut off, or {@code null} when membership was
	 * unstable
	 * @param cause what happened
	 * @param started when it began
	 * @param ended when the cluster had settled again
	 */
	public record Window(Fault fault, @Nullable String node, String cause, long started, long ended) {

		public boolean overlaps(long from, long to) {
			return from <= this.ended && to >= this.started;
		}

		@Override
		public String toString() {
			return this.cause + " [" + millis(this.started) + ", " + millis(this.ended) + "]";
		}

	}

	/**
	 * A value as {@link #value} made it.
	 */
	public record Value(String key, long version, long origin) {
	}

	/** Times in reports: milliseconds since this class was loaded, to 0.1 ms. */
	static String millis(long nanos) {
		return String.format("%.1fms", (nanos - BASE) / 1e6);
	}

}
