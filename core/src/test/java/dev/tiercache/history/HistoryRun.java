package dev.tiercache.history;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every seeded history test does around its own cluster and faults: take the seed
 * ({@code -Dtiercache.history.seed=N} replays one, else a random one) and the length of
 * the run ({@code -Dtiercache.history.seconds}, 20 by default), print them, name the seed
 * in any failure, check the {@link History} with {@link HistoryChecker} and print the
 * report ({@code -Dtiercache.history.listed}, 8 by default, violations of each
 * invariant), and write a failed run's whole history to
 * {@code target/history-<seed>.txt}. Independent of the cache's mode.
 *
 * @author tiercache
 */
public final class HistoryRun {

	private final String name;

	private final long seed = Long.getLong("tiercache.history.seed", new SecureRandom().nextLong());

	private final int seconds = Integer.getInteger("tiercache.history.seconds", 20);

	private final History history = new History();

	/**
	 * @param name the test's name, which starts every line it prints
	 */
	public HistoryRun(String name) {
		this.name = name;
	}

	public long seed() {
		return this.seed;
	}

	public int seconds() {
		return this.seconds;
	}

	public History history() {
		return this.history;
	}

	/**
	 * Print the seed and run {@code body}; a failure that does not name the seed is
	 * wrapped in one that does.
	 */
	public void run(Body body) throws Exception {
		System.out.println(this.name + ": seed " + this.seed + " (replay with -Dtiercache.history.seed=" + this.seed
				+ "), " + this.seconds + " s of operations");
		try {
			body.run();
		}
		catch (Exception | Error ex) {
			if (String.valueOf(ex.getMessage()).contains("seed " + this.seed)) {
				throw ex;
			}
			throw new AssertionError("seed " + this.seed + ": the run itself failed: " + ex, ex);
		}
	}

	/**
	 * Check the history, print the report with {@code details} (the faults, the nodes'
	 * statistics) and how long the run took since {@code began}, and fail with it if an
	 * invariant was broken.
	 * @return the report
	 */
	public HistoryChecker.Report check(Duration hotTtl, long began, Supplier<String> details) throws IOException {
		HistoryChecker.Report report = HistoryChecker.check(this.history, hotTtl);
		String described = "seed " + this.seed + ", "
				+ report.describe(Integer.getInteger("tiercache.history.listed", 8)) + details.get();
		System.out.println(described);
		System.out.printf("%s: seed %d took %.1f s%n", this.name, this.seed, (System.nanoTime() - began) / 1e9);
		if (!report.violations().isEmpty()) {
			Path dump = Path.of("target", "history-" + this.seed + ".txt");
			this.history.writeTo(dump);
			System.out.println(this.name + ": the whole history is in " + dump.toAbsolutePath());
		}
		assertThat(report.violations()).withFailMessage(() -> described).isEmpty();
		return report;
	}

	/**
	 * Sleep until {@code System.nanoTime()} reaches {@code deadline}.
	 */
	public static void sleepUntil(long deadline) throws InterruptedException {
		long remaining;
		while ((remaining = deadline - System.nanoTime()) > 0) {
			TimeUnit.NANOSECONDS.sleep(remaining);
		}
	}

	/**
	 * The body of a run.
	 */
	@FunctionalInterface
	public interface Body {

		void run() throws Exception;

	}

}
