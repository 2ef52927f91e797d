package dev.tiercache.demo;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Keys 1 to n drawn with Zipf's law: key k comes up in proportion to 1 / k^skew, so a few
 * low ids are hot and the rest form a long tail, as reads of real catalogues do. Sampling
 * is a binary search in the cumulative distribution, computed once.
 *
 * @author tiercache
 */
final class ZipfKeys {

	private final double[] cumulative;

	ZipfKeys(int keys, double skew) {
		this.cumulative = new double[keys];
		double sum = 0;
		for (int rank = 1; rank <= keys; rank++) {
			sum += 1.0 / Math.pow(rank, skew);
			this.cumulative[rank - 1] = sum;
		}
		for (int i = 0; i < keys; i++) {
			this.cumulative[i] /= sum;
		}
	}

	/**
	 * Draw a key.
	 * @param random the source of randomness
	 * @return a key from 1 to n
	 */
	long next(RandomGenerator random) {
		int index = Arrays.binarySearch(this.cumulative, random.nextDouble());
		return ((index >= 0) ? index : -index - 1) + 1L;
	}

}
