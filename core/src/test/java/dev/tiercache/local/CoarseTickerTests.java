package dev.tiercache.local;

import java.time.Duration;

import dev.tiercache.TierCacheManager;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The default clock: follows the system clock to about a millisecond, never goes
 * backwards, and runs its thread only while a manager uses it.
 */
class CoarseTickerTests {

	@Test
	void followsTheSystemClockAndNeverGoesBackwards() throws InterruptedException {
		CoarseTicker clock = CoarseTicker.acquire();
		try {
			long previous = clock.read();
			long start = System.nanoTime();
			while (System.nanoTime() - start < Duration.ofMillis(50).toNanos()) {
				long now = clock.read();
				assertThat(now).isGreaterThanOrEqualTo(previous);
				previous = now;
			}
			Thread.sleep(20);
			long lag = System.nanoTime() - clock.read();
			assertThat(lag).as("lag behind System.nanoTime(), ns").isBetween(0L, Duration.ofMillis(250).toNanos());
			assertThat(clock.read()).isGreaterThan(start);
		}
		finally {
			clock.release();
		}
	}

	@Test
	void runsWhileAManagerWithoutAClockOfItsOwnIsOpen() {
		CoarseTicker clock = CoarseTicker.acquire();
		clock.release();
		int before = clock.users();
		TierCacheManager first = TierCacheManager.builder().build();
		TierCacheManager second = TierCacheManager.builder().build();
		TierCacheManager fake = TierCacheManager.builder().ticker(() -> 0L).build();
		assertThat(clock.users()).isEqualTo(before + 2);
		assertThat(clock.isRunning()).isTrue();
		first.close();
		first.close();
		fake.close();
		assertThat(clock.users()).as("closing twice releases once").isEqualTo(before + 1);
		assertThat(clock.isRunning()).isTrue();
		second.close();
		assertThat(clock.users()).isEqualTo(before);
		assertThat(clock.isRunning()).isEqualTo(before > 0);
	}

	@Test
	void theLastUserStopsTheThreadAndTheNextStartsItAgain() {
		CoarseTicker clock = CoarseTicker.acquire();
		int others = clock.users() - 1;
		for (int i = 0; i < others; i++) {
			clock.release();
		}
		clock.release();
		assertThat(clock.isRunning()).isFalse();
		long stopped = clock.read();
		CoarseTicker again = CoarseTicker.acquire();
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> again.read() > stopped);
		}
		finally {
			for (int i = 0; i < others; i++) {
				CoarseTicker.acquire();
			}
			again.release();
		}
	}

}
