package dev.tiercache.remote.peers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnconfirmedWritesTests {

	private static final long WINDOW = 1_000;

	@Test
	void aKeyIsMarkedUntilConfirmed() {
		UnconfirmedWrites writes = new UnconfirmedWrites(60_000_000_000L, 10);
		assertThat(writes.isUnconfirmed("a")).isFalse();
		writes.unconfirmed("a", System.nanoTime());
		assertThat(writes.isUnconfirmed("a")).isTrue();
		assertThat(writes.isUnconfirmed("b")).isFalse();
		writes.confirmed("a");
		assertThat(writes.isUnconfirmed("a")).isFalse();
	}

	@Test
	void aMarkLapsesAfterTheWindow() {
		UnconfirmedWrites writes = new UnconfirmedWrites(WINDOW, 10);
		writes.unconfirmed("a", 5_000);
		assertThat(writes.isUnconfirmed("a", 5_000 + WINDOW - 1)).isTrue();
		assertThat(writes.isUnconfirmed("a", 5_000 + WINDOW)).isFalse();
		// A lapsed mark is forgotten.
		assertThat(writes.isUnconfirmed("a", 5_000)).isFalse();
	}

	@Test
	void pastItsCapacityItForgetsLapsedMarksAndThenMarksEveryKey() {
		UnconfirmedWrites writes = new UnconfirmedWrites(WINDOW, 3);
		writes.unconfirmed("old", 0);
		for (int i = 0; i < 3; i++) {
			writes.unconfirmed("key-" + i, 2_000);
		}
		assertThat(writes.isUnconfirmed("other", 2_000)).isFalse();
		assertThat(writes.isUnconfirmed("key-0", 2_000)).isTrue();
		writes.unconfirmed("key-3", 2_000);
		// More marks than it may hold: every key is read locally for one window.
		assertThat(writes.isUnconfirmed("other", 2_000)).isTrue();
		assertThat(writes.isUnconfirmed("other", 2_000 + WINDOW)).isFalse();
		assertThat(writes.isUnconfirmed("key-0", 2_000 + WINDOW)).isFalse();
	}

}
