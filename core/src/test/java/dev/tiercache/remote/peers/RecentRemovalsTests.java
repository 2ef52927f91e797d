package dev.tiercache.remote.peers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentRemovalsTests {

	private static final long WINDOW = 1_000;

	@Test
	void aRemovalRefusesItsKeyForTheWindowOnly() {
		RecentRemovals removals = new RecentRemovals(WINDOW, 10);
		removals.removed("a", 5_000);
		assertThat(removals.recentlyRemoved("a", 5_000 + WINDOW - 1)).isTrue();
		assertThat(removals.recentlyRemoved("b", 5_000)).isFalse();
		assertThat(removals.recentlyRemoved("a", 5_000 + WINDOW)).isFalse();
	}

	@Test
	void aClearRefusesEveryKeyForTheWindow() {
		RecentRemovals removals = new RecentRemovals(WINDOW, 10);
		removals.cleared(5_000);
		assertThat(removals.recentlyRemoved("any", 5_500)).isTrue();
		assertThat(removals.recentlyRemoved("any", 5_000 + WINDOW)).isFalse();
	}

	@Test
	void pastItsCapacityItForgetsOldKeysAndThenRemembersAClear() {
		RecentRemovals removals = new RecentRemovals(WINDOW, 3);
		removals.removed("old", 0);
		for (int i = 0; i < 3; i++) {
			removals.removed("key-" + i, 2_000);
		}
		// The old key was swept out; the table held its capacity without a clear.
		assertThat(removals.recentlyRemoved("other", 2_000)).isFalse();
		assertThat(removals.recentlyRemoved("key-0", 2_000)).isTrue();
		removals.removed("key-3", 2_000);
		// More recent keys than it may hold: every key is refused for one window.
		assertThat(removals.recentlyRemoved("other", 2_000)).isTrue();
		assertThat(removals.recentlyRemoved("other", 2_000 + WINDOW)).isFalse();
	}

}
