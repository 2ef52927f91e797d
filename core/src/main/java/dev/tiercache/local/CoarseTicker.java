package dev.tiercache.local;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.github.benmanes.caffeine.cache.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * The clock entries expire by, unless a test gives another: {@link System#nanoTime()}
 * read once per millisecond by one daemon thread, so that a hit reads a field instead of
 * the clock.
 *
 * <p>
 * Caffeine with per-entry expiry reads its ticker several times per hit, and a clock read
 * costs 20 to 40 ns on a virtual machine, more than the rest of the hit: with the system
 * clock a tiercache hit took about 110 ns, with this one about 50 (docs/benchmarks.md).
 * The price is precision: an entry may live up to about a millisecond longer than its
 * time to live, longer if the machine is so busy that the clock's thread is not
 * scheduled. The clock never goes backwards.
 *
 * <p>
 * The thread runs while at least one cache manager that uses the clock is open:
 * {@link #acquire()} when a manager is built, {@link #release()} when it is closed.
 *
 * @author tiercache
 */
public final class CoarseTicker implements Ticker {

	/** How often the clock is read. */
	static final long RESOLUTION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private static final CoarseTicker INSTANCE = new CoarseTicker();

	private final AtomicLong now = new AtomicLong(System.nanoTime());

	private int users;

	private @Nullable Thread thread;

	private CoarseTicker() {
	}

	/**
	 * Return the clock, starting its thread if no one used it yet.
	 * @return the clock; {@link #release()} it when done
	 */
	public static CoarseTicker acquire() {
		INSTANCE.start();
		return INSTANCE;
	}

	@Override
	public long read() {
		return this.now.get();
	}

	/**
	 * Stop using the clock; the last user stops its thread.
	 */
	public synchronized void release() {
		if (this.users > 0 && --this.users == 0 && this.thread != null) {
			this.thread.interrupt();
			this.thread = null;
		}
	}

	/**
	 * Return how many users hold the clock.
	 * @return the count; the thread runs while it is positive
	 */
	synchronized int users() {
		return this.users;
	}

	/**
	 * Return whether the clock's thread runs.
	 * @return whether anyone uses the clock
	 */
	synchronized boolean isRunning() {
		return this.thread != null;
	}

	private synchronized void start() {
		if (this.users++ == 0) {
			tick();
			Thread clock = new Thread(this::run, "tiercache-clock");
			clock.setDaemon(true);
			clock.start();
			this.thread = clock;
		}
	}

	private void run() {
		while (!Thread.currentThread().isInterrupted()) {
			tick();
			LockSupport.parkNanos(RESOLUTION_NANOS);
		}
	}

	private void tick() {
		// Never backwards, even while an old thread and a new one overlap.
		this.now.accumulateAndGet(System.nanoTime(), Math::max);
	}

}
