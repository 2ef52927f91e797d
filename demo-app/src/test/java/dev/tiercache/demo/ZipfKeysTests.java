package dev.tiercache.demo;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ZipfKeysTests {

	@Test
	void keysFollowZipfsLawWithinTheirRange() {
		ZipfKeys keys = new ZipfKeys(1000, 1.0);
		SplittableRandom random = new SplittableRandom(42);
		int draws = 200_000;
		int[] counts = new int[1001];
		for (int i = 0; i < draws; i++) {
			long key = keys.next(random);
			assertThat(key).isBetween(1L, 1000L);
			counts[(int) key]++;
		}
		double harmonic = 0;
		for (int rank = 1; rank <= 1000; rank++) {
			harmonic += 1.0 / rank;
		}
		assertThat((double) counts[1] / draws).isCloseTo(1 / harmonic, within(0.005));
		assertThat((double) counts[2] / counts[1]).isCloseTo(0.5, within(0.03));
	}

	@Test
	void skewZeroIsUniform() {
		ZipfKeys keys = new ZipfKeys(10, 0.0);
		SplittableRandom random = new SplittableRandom(7);
		int[] counts = new int[11];
		for (int i = 0; i < 100_000; i++) {
			counts[(int) keys.next(random)]++;
		}
		for (int key = 1; key <= 10; key++) {
			assertThat(counts[key]).isBetween(9_500, 10_500);
		}
	}

}
