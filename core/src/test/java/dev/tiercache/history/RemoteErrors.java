package dev.tiercache.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.tiercache.TierCache;
import dev.tiercache.stats.Counter;

/**
 * Records, as outages of the history, the remote tier's errors that no injected fault
 * caused: a command that timed out because the machine stalled (a loaded CI runner, a
 * long collection) is a failure of the remote tier as much as a paused Redis is, and the
 * design says what a node does then: it degrades to local behaviour (loads by itself, so
 * a load may repeat) and replays what it could not write. Without these windows such a
 * stall reads as a broken invariant that no replay of the seed reproduces.
 *
 * <p>
 * A thread looks at every node's error count every few milliseconds; when it grew, the
 * failed command began after the previous look, less the command timeout, and what it
 * excuses ends when its replay is due. Errors during an injected fault are recorded too
 * (the windows overlap); those outside every injected fault are listed in the report,
 * with their times, so that a failure says what the remote tier went through.
 *
 * @author tiercache
 */
public final class RemoteErrors implements AutoCloseable {

	private static final String CAUSE = "remote errors on ";

	private static final long LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

	private final History history;

	private final Supplier<Map<String, TierCache>> nodes;

	private final long commandTimeoutNanos;

	private final long replayedNanos;

	private final long began;

	private final Map<String, Long> counted = new ConcurrentHashMap<>();

	private final List<Errors> seen = new CopyOnWriteArrayList<>();

	private final Thread thread;

	private volatile boolean running = true;

	/**
	 * Start looking.
	 * @param history where the windows go
	 * @param nodes the nodes by name (nodes started later are looked at from then on)
	 * @param commandTimeout how long a failed command may have run before it failed
	 * @param replayed from a failure until what it deferred is replayed
	 */
	public RemoteErrors(History history, Supplier<Map<String, TierCache>> nodes, Duration commandTimeout,
			Duration replayed) {
		this.history = history;
		this.nodes = nodes;
		this.commandTimeoutNanos = commandTimeout.toNanos();
		this.replayedNanos = replayed.toNanos();
		this.began = System.nanoTime();
		this.thread = new Thread(this::look, "remote-errors");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void look() {
		long previous = System.nanoTime();
		while (this.running) {
			long now = System.nanoTime();
			for (Map.Entry<String, TierCache> node : this.nodes.get().entrySet()) {
				long errors = node.getValue().getStats().count(Counter.REDIS_ERRORS);
				Long before = this.counted.put(node.getKey(), errors);
				if (before != null && errors > before) {
					recordErrors(node.getKey(), errors - before, previous, now);
				}
			}
			previous = now;
			try {
				HistoryRun.sleepUntil(now + LOOK_NANOS);
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private void recordErrors(String node, long errors, long previousLook, long now) {
		Errors seen = new Errors(node, errors, previousLook - this.commandTimeoutNanos, now);
		this.seen.add(seen);
		if (!Boolean.getBoolean("diag.noexcuse"))
			this.history.outage(seen.cause(), seen.started(), now + this.replayedNanos);
	}

	/**
	 * Return the errors that no injected fault explains, with when they were seen, for
	 * the report.
	 */
	public List<String> unprovoked() {
		List<History.Window> injected = this.history.windows()
			.stream()
			.filter((window) -> !window.cause().startsWith(CAUSE))
			.toList();
		List<String> unprovoked = new ArrayList<>();
		for (Errors errors : this.seen) {
			if (injected.stream().noneMatch((window) -> window.overlaps(errors.started(), errors.seen()))) {
				unprovoked.add(String.format("%s at %.3f s", errors.cause(), (errors.seen() - this.began) / 1e9));
			}
		}
		return unprovoked;
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.thread.interrupt();
		this.thread.join();
	}

	/**
	 * {@code count} errors of {@code node}'s remote tier, seen at {@code seen}, of
	 * commands that began after {@code started}.
	 */
	private record Errors(String node, long count, long started, long seen) {

		String cause() {
			return CAUSE + this.node + " (" + this.count + ")";
		}

	}

}
