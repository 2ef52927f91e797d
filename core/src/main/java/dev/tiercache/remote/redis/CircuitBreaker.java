package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Stops calls to a server that keeps failing: after {@code threshold} consecutive
 * failures the circuit opens and calls fail fast for {@code retryInterval}; then calls
 * are let through again as probes. The first success after the circuit opened closes it
 * and reports a recovery.
 *
 * @author tiercache
 */
final class CircuitBreaker {

	private final int threshold;

	private final long retryNanos;

	private final LongSupplier nanoTime;

	private final AtomicInteger consecutiveFailures = new AtomicInteger();

	private final AtomicLong openUntil = new AtomicLong();

	private volatile boolean open;

	CircuitBreaker(int threshold, Duration retryInterval, LongSupplier nanoTime) {
		this.threshold = threshold;
		this.retryNanos = retryInterval.toNanos();
		this.nanoTime = nanoTime;
	}

	/**
	 * Return whether a call may go through now.
	 */
	boolean allowRequest() {
		return !this.open || this.nanoTime.getAsLong() - this.openUntil.get() >= 0;
	}

	/**
	 * Record a success.
	 * @return whether this success closed an open circuit (a recovery)
	 */
	boolean onSuccess() {
		this.consecutiveFailures.set(0);
		if (this.open) {
			synchronized (this) {
				if (this.open) {
					this.open = false;
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Record a failure.
	 * @return whether this failure opened the circuit
	 */
	boolean onFailure() {
		int failures = this.consecutiveFailures.incrementAndGet();
		if (failures >= this.threshold || this.open) {
			this.openUntil.set(this.nanoTime.getAsLong() + this.retryNanos);
			synchronized (this) {
				if (!this.open) {
					this.open = true;
					return true;
				}
			}
		}
		return false;
	}

	boolean isOpen() {
		return this.open;
	}

}
