package dev.tiercache.benchmarks.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

/**
 * Threads that call an operation as fast as they can for a while, recording each call's
 * latency: the load of the end-to-end drivers.
 *
 * @author tiercache
 */
final class Load {

	private Load() {
	}

	/**
	 * One call of the operation under load.
	 */
	@FunctionalInterface
	interface Operation {

		/**
		 * Make one call.
		 * @param random this thread's random numbers
		 * @return whether the call succeeded (a cache hit where one was expected)
		 * @throws Exception when the call failed
		 */
		boolean call(SplittableRandom random) throws Exception;

	}

	/**
	 * What a run measured.
	 *
	 * @param latency every measured call's latency, in nanoseconds
	 * @param seconds how long the measurement lasted
	 * @param failures calls that threw or returned {@code false}
	 */
	record Result(Histogram latency, double seconds, long failures) {

		double opsPerSecond() {
			return this.latency.getTotalCount() / this.seconds;
		}

		double micros(double percentile) {
			return this.latency.getValueAtPercentile(percentile) / 1000.0;
		}

	}

	/**
	 * Run {@code threads} threads calling {@code operation}: first for {@code warmup}
	 * unmeasured, then for {@code measure}.
	 */
	static Result run(int threads, Duration warmup, Duration measure, Operation operation) throws InterruptedException {
		AtomicBoolean measuring = new AtomicBoolean();
		AtomicBoolean stop = new AtomicBoolean();
		AtomicLong failures = new AtomicLong();
		List<Histogram> histograms = new ArrayList<>();
		CountDownLatch done = new CountDownLatch(threads);
		for (int t = 0; t < threads; t++) {
			Histogram histogram = new Histogram(Duration.ofMinutes(1).toNanos(), 3);
			histograms.add(histogram);
			SplittableRandom random = new SplittableRandom(t * 7919L);
			Thread thread = new Thread(() -> {
				try {
					while (!stop.get()) {
						boolean measured = measuring.get();
						long start = System.nanoTime();
						boolean ok;
						try {
							ok = operation.call(random);
						}
						catch (Exception ex) {
							ok = false;
						}
						long elapsed = System.nanoTime() - start;
						if (measured && measuring.get()) {
							histogram.recordValue(Math.min(elapsed, histogram.getHighestTrackableValue()));
							if (!ok) {
								failures.incrementAndGet();
							}
						}
					}
				}
				finally {
					done.countDown();
				}
			}, "load-" + t);
			thread.setDaemon(true);
			thread.start();
		}
		Thread.sleep(warmup.toMillis());
		long start = System.nanoTime();
		measuring.set(true);
		Thread.sleep(measure.toMillis());
		measuring.set(false);
		double seconds = (System.nanoTime() - start) / 1e9;
		stop.set(true);
		done.await();
		Histogram total = new Histogram(Duration.ofMinutes(1).toNanos(), 3);
		histograms.forEach(total::add);
		return new Result(total, seconds, failures.get());
	}

}
