package dev.tiercache.remote;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PauseDetectorTests {

	private final AtomicLong clock = new AtomicLong(1_000);

	private final List<Long> pauses = new ArrayList<>();

	private final PauseDetector detector = new PauseDetector(this.clock::get, Duration.ofSeconds(2), this.pauses::add);

	@Test
	void ticksWithinTheToleranceAreNoPause() {
		for (int i = 0; i < 100; i++) {
			this.clock.addAndGet(Duration.ofMillis(10).toNanos());
			assertThat(this.detector.check()).isFalse();
		}
		this.clock.addAndGet(Duration.ofSeconds(2).toNanos());
		assertThat(this.detector.check()).isFalse();
		assertThat(this.pauses).isEmpty();
	}

	@Test
	void aGapLongerThanTheToleranceIsReportedOnceWithItsLength() {
		this.clock.addAndGet(Duration.ofSeconds(12).toNanos());
		assertThat(this.detector.check()).isTrue();
		this.clock.addAndGet(Duration.ofMillis(10).toNanos());
		assertThat(this.detector.check()).isFalse();
		assertThat(this.pauses).containsExactly(Duration.ofSeconds(12).toNanos());
	}

}
