package dev.tiercache.remote;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

import org.springframework.util.Assert;

/**
 * Notices that this process was paused ({@code SIGSTOP}, a long garbage collection, a
 * frozen virtual machine) for longer than the remote tier can tolerate. While a node is
 * paused, the others stop waiting for it: their invalidations may reach it late, and a
 * pause longer than failure detection gets it removed from the cluster, so nobody tells
 * it anything until the views merge. Its local copies may then be older than writes that
 * returned elsewhere, and the only safe answer is to drop them.
 *
 * <p>
 * A daemon thread wakes every {@value #TICK_MILLIS} ms and measures how long it really
 * slept; a gap longer than the tolerance is a pause. A thread that is merely starved of
 * CPU for that long is treated the same way, which costs reloads, never correctness.
 *
 * @author tiercache
 */
public final class PauseDetector implements AutoCloseable {

	static final long TICK_MILLIS = 10;

	private final LongSupplier clock;

	private final long toleranceNanos;

	private final LongConsumer onPause;

	private long last;

	private volatile boolean running = true;

	PauseDetector(LongSupplier clock, Duration tolerance, LongConsumer onPause) {
		Assert.isTrue(!tolerance.isNegative() && !tolerance.isZero(), "tolerance must be positive");
		this.clock = clock;
		this.toleranceNanos = tolerance.toNanos();
		this.onPause = onPause;
		this.last = clock.getAsLong();
	}

	/**
	 * Start a detector on a daemon thread of its own.
	 * @param tolerance the longest pause that needs nothing done
	 * @param onPause called on the detector's thread with the pause's length in
	 * nanoseconds
	 * @return the running detector; close it to stop its thread
	 */
	public static PauseDetector start(Duration tolerance, LongConsumer onPause) {
		PauseDetector detector = new PauseDetector(System::nanoTime, tolerance, onPause);
		Thread thread = new Thread(detector::run, "tiercache-pause-detector");
		thread.setDaemon(true);
		thread.start();
		return detector;
	}

	private void run() {
		while (this.running) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
			check();
		}
	}

	/**
	 * Measure the time since the last check; report it if it was a pause.
	 * @return whether it was
	 */
	boolean check() {
		long now = this.clock.getAsLong();
		long gap = now - this.last;
		this.last = now;
		if (gap > this.toleranceNanos) {
			this.onPause.accept(gap);
			return true;
		}
		return false;
	}

	@Override
	public void close() {
		this.running = false;
	}

}
