package dev.tiercache.benchmarks.e2e;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ranks drawn from a Zipf distribution: rank {@code r} (from 0) with probability
 * proportional to {@code 1 / (r + 1)^s}, by binary search in the cumulative distribution.
 *
 * @author tiercache
 */
final class Zipf {

	private final double[] cumulative;

	Zipf(int size, double exponent) {
		this.cumulative = new double[size];
		double sum = 0;
		for (int rank = 0; rank < size; rank++) {
			sum += 1 / Math.pow(rank + 1, exponent);
			this.cumulative[rank] = sum;
		}
		for (int rank = 0; rank < size; rank++) {
			this.cumulative[rank] /= sum;
		}
	}

	int next(SplittableRandom random) {
		int index = Arrays.binarySearch(this.cumulative, random.nextDouble());
		return Math.min((index >= 0) ? index : -index - 1, this.cumulative.length - 1);
	}

}
