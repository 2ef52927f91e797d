package dev.tiercache;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A hit allocates nothing, with {@code refresh-after} too: whether the entry is due for
 * refresh is one field compared with the clock, and a due entry that a hit has claimed
 * costs the next hits nothing more. Measured with the JVM's per-thread allocation counter
 * over many hits, so a single allocation per hit shows as at least 16 bytes.
 */
class HitAllocationTests {

	private static final int HITS = 200_000;

	private final FakeTicker ticker = new FakeTicker();

	private final TierCacheManager manager = TierCacheManager.builder()
		.cacheDefaults(TierCacheConfiguration.defaultCacheConfig()
			.withTtl(Duration.ofMinutes(10))
			.withTtlJitter(0)
			.withRefreshAfter(Duration.ofMinutes(5)))
		.ticker(this.ticker)
		.build();

	private final Callable<String> loader = () -> "reloaded";

	@AfterEach
	void close() {
		this.manager.close();
	}

	@Test
	void hitWithALoaderAllocatesNothingBeforeAndAfterRefreshAfter() {
		TierCache cache = this.manager.getCache("books");
		cache.put(1L, "Dune");
		assertThat(bytesPerHit(cache)).as("bytes per hit before refresh-after").isLessThan(1.0);
		// Due: the first hit claims the refresh; the next ones, until it is done or a
		// second
		// has passed, find it claimed.
		this.ticker.advance(Duration.ofMinutes(6));
		assertThat(bytesPerHit(cache)).as("bytes per hit of a claimed entry").isLessThan(1.0);
	}

	private double bytesPerHit(TierCache cache) {
		com.sun.management.ThreadMXBean threads = threads();
		long id = Thread.currentThread().getId();
		hit(cache, HITS);
		long before = threads.getThreadAllocatedBytes(id);
		hit(cache, HITS);
		long after = threads.getThreadAllocatedBytes(id);
		return (double) (after - before) / HITS;
	}

	private void hit(TierCache cache, int times) {
		for (int i = 0; i < times; i++) {
			if (cache.get(1L, this.loader) == null) {
				throw new IllegalStateException("missed");
			}
		}
	}

	private static com.sun.management.ThreadMXBean threads() {
		java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		assumeThat(threads).isInstanceOf(com.sun.management.ThreadMXBean.class);
		com.sun.management.ThreadMXBean counting = (com.sun.management.ThreadMXBean) threads;
		assumeThat(counting.isThreadAllocatedMemorySupported()).isTrue();
		counting.setThreadAllocatedMemoryEnabled(true);
		return counting;
	}

}
