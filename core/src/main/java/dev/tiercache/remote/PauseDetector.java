package dev.tiercache.remote;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Notices that this process was paused ({@code SIGSTOP}, a long garbage collection, a
 * frozen virtual machine) for longer than a remote tier can tolerate. While a node is
 * paused, the others stop waiting for it: their invalidations may reach it late, and a
 * pause longer than failure detection gets it removed from the cluster, so nobody tells
 * it anything until the views merge. Its local copies may then be older than writes that
 * returned elsewhere, and the only safe answer is to drop them.
 *
 * <p>
 * One daemon thread per process wakes every {@value #TICK_MILLIS} ms and measures how
 * long it really slept; a gap longer than a watcher's tolerance is a pause, reported to
 * that watcher. A thread that is merely starved of CPU for that long counts as paused,
 * which costs reloads, never correctness. The thread runs while anyone watches.
 *
 * @author tiercache
 */
public final class PauseDetector {

	static final long TICK_MILLIS = 10;

	private static final PauseDetector INSTANCE = new PauseDetector(System::nanoTime);

	private final LongSupplier clock;

	private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

	private long last;

	private @Nullable Thread thread;

	PauseDetector(LongSupplier clock) {
		this.clock = clock;
		this.last = clock.getAsLong();
	}

	/**
	 * Call {@code onPause} whenever this process was paused for longer than
	 * {@code tolerance}.
	 * @param tolerance the longest pause that needs nothing done
	 * @param onPause called on the detector's thread with the pause's length in
	 * nanoseconds
	 * @return stops watching
	 */
	public static AutoCloseable watch(Duration tolerance, LongConsumer onPause) {
		return INSTANCE.add(tolerance, onPause);
	}

	synchronized AutoCloseable add(Duration tolerance, LongConsumer onPause) {
		Assert.isTrue(!tolerance.isNegative() && !tolerance.isZero(), "tolerance must be positive");
		Watcher watcher = new Watcher(tolerance.toNanos(), onPause);
		this.watchers.add(watcher);
		if (this.thread == null && this == INSTANCE) {
			this.last = this.clock.getAsLong();
			Thread thread = new Thread(this::run, "tiercache-pause-detector");
			thread.setDaemon(true);
			this.thread = thread;
			thread.start();
		}
		return () -> remove(watcher);
	}

	private synchronized void remove(Watcher watcher) {
		this.watchers.remove(watcher);
	}

	private void run() {
		while (true) {
			synchronized (this) {
				if (this.watchers.isEmpty()) {
					this.thread = null;
					return;
				}
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
			check();
		}
	}

	/**
	 * Measure the time since the last check and report it to every watcher it was a pause
	 * for.
	 * @return how many watchers were told
	 */
	int check() {
		long now = this.clock.getAsLong();
		long gap = now - this.last;
		this.last = now;
		int told = 0;
		for (Watcher watcher : this.watchers) {
			if (gap > watcher.toleranceNanos()) {
				watcher.onPause().accept(gap);
				told++;
			}
		}
		return told;
	}

	private record Watcher(long toleranceNanos, LongConsumer onPause) {
	}

}
