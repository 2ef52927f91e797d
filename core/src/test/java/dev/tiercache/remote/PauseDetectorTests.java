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

	private final PauseDetector detector = new PauseDetector(this.clock::get);

	@Test
	void ticksWithinTheToleranceAreNoPause() {
		this.detector.add(Duration.ofSeconds(2), this.pauses::add);
		for (int i = 0; i < 100; i++) {
			this.clock.addAndGet(Duration.ofMillis(10).toNanos());
			assertThat(this.detector.check()).isZero();
		}
		this.clock.addAndGet(Duration.ofSeconds(2).toNanos());
		assertThat(this.detector.check()).isZero();
		assertThat(this.pauses).isEmpty();
	}

	@Test
	void aGapLongerThanAWatchersToleranceIsReportedToItOnceWithItsLength() throws Exception {
		List<Long> patient = new ArrayList<>();
		this.detector.add(Duration.ofSeconds(2), this.pauses::add);
		AutoCloseable gone = this.detector.add(Duration.ofSeconds(1), patient::add);
		this.detector.add(Duration.ofSeconds(30), patient::add);
		this.clock.addAndGet(Duration.ofSeconds(12).toNanos());
		assertThat(this.detector.check()).isEqualTo(2);
		this.clock.addAndGet(Duration.ofMillis(10).toNanos());
		assertThat(this.detector.check()).isZero();
		assertThat(this.pauses).containsExactly(Duration.ofSeconds(12).toNanos());
		assertThat(patient).containsExactly(Duration.ofSeconds(12).toNanos());
		gone.close();
		this.clock.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(this.detector.check()).isEqualTo(1);
	}

}
