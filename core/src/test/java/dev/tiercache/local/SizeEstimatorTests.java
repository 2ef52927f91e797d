package dev.tiercache.local;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SizeEstimatorTests {

	record Book(long id, String title, List<String> authors) {
	}

	static final class Node {

		Node next;

	}

	@Test
	void stringCostsHeaderPlusTwoBytesPerCharacter() {
		assertThat(SizeEstimator.estimate("abcd")).isEqualTo(48);
	}

	@Test
	void primitiveArraysCostTheirElements() {
		assertThat(SizeEstimator.estimate(new byte[1000])).isEqualTo(1016);
		assertThat(SizeEstimator.estimate(new long[10])).isEqualTo(96);
	}

	@Test
	void objectsAreFollowedThroughTheirFields() {
		long title = SizeEstimator.estimate("Dune");
		long book = SizeEstimator.estimate(new Book(1, "Dune", List.of("Frank Herbert")));
		assertThat(book).isGreaterThan(title + SizeEstimator.estimate("Frank Herbert"));
	}

	@Test
	void biggerValuesWeighMore() {
		assertThat(SizeEstimator.estimate(Map.of("k", "x".repeat(1000))))
			.isGreaterThan(SizeEstimator.estimate(Map.of("k", "x")) + 1900);
	}

	@Test
	void cyclesAreCountedOnce() {
		Node a = new Node();
		Node b = new Node();
		a.next = b;
		b.next = a;
		assertThat(SizeEstimator.estimate(a)).isLessThan(100);
	}

	@Test
	void sharedAndNullValuesCostNothing() {
		assertThat(SizeEstimator.estimate(null)).isZero();
		assertThat(SizeEstimator.estimate(Thread.State.NEW)).isZero();
	}

}
