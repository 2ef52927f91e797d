package dev.tiercache.stats;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatsLoggerTests {

	@Test
	void lineReportsTheCountsOfTheIntervalPerMinute() {
		StatsCounter counter = StatsCounter.concurrent();
		counter.record(Counter.MAIN_HITS, 10);
		CacheStats before = counter.snapshot();
		counter.record(Counter.MAIN_HITS, 4000);
		counter.record(Counter.HOT_HITS, 924);
		counter.record(Counter.REMOTE_HITS, 120);
		counter.record(Counter.MISSES, 13);
		counter.record(Counter.LOADS_DEDUPLICATED, 31);
		String line = StatsLogger.line("books", before, counter.snapshot(), Duration.ofMinutes(1));
		assertThat(line).isEqualTo(
				"books - qpm: 5057, hit_ratio: 99.7%, hit: 5044, miss: 13, load_fails: 0, peer_loads: 120, deduped: 31");
	}

	@Test
	void qpmIsScaledToAMinute() {
		StatsCounter counter = StatsCounter.concurrent();
		counter.record(Counter.MISSES, 50);
		assertThat(StatsLogger.line("books", null, counter.snapshot(), Duration.ofSeconds(30)))
			.startsWith("books - qpm: 100, hit_ratio: 0.0%");
	}

	@Test
	void idleCacheHasAFullHitRatio() {
		CacheStats idle = StatsCounter.concurrent().snapshot();
		assertThat(StatsLogger.line("books", idle, idle, Duration.ofMinutes(1)))
			.isEqualTo("books - qpm: 0, hit_ratio: 100.0%, hit: 0, miss: 0, load_fails: 0, peer_loads: 0, deduped: 0");
	}

}
