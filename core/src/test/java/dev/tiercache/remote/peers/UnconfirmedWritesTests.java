package dev.tiercache.remote.peers;

import java.util.List;

import dev.tiercache.codec.CodecException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class UnconfirmedWritesTests {

	private static final long WINDOW = 1_000;

	@Test
	void aKeyIsMarkedUntilConfirmed() {
		UnconfirmedWrites writes = new UnconfirmedWrites(60_000_000_000L, 10);
		assertThat(writes.isUnconfirmed("a")).isFalse();
		writes.unconfirmed("a", "writer", "owner", System.nanoTime());
		assertThat(writes.isUnconfirmed("a")).isTrue();
		assertThat(writes.isUnconfirmed("b")).isFalse();
		writes.confirmed("a", "another writer");
		assertThat(writes.isUnconfirmed("a")).as("a mark another writer set").isTrue();
		writes.confirmed("a", "writer");
		assertThat(writes.isUnconfirmed("a")).isFalse();
	}

	@Test
	void aKeyMarkedByTwoWritersStaysMarkedUntilBothConfirm() {
		UnconfirmedWrites writes = new UnconfirmedWrites(60_000_000_000L, 10);
		writes.unconfirmed("a", "first", "owner", System.nanoTime());
		writes.unconfirmed("a", "second", "owner", System.nanoTime());
		writes.confirmed("a", "second");
		assertThat(writes.isUnconfirmed("a")).as("the first writer's mark").isTrue();
		writes.unconfirmed("a", "second", "owner", System.nanoTime());
		writes.confirmed("a", "first");
		assertThat(writes.isUnconfirmed("a")).as("the second writer's new mark").isTrue();
		writes.confirmed("a", "second");
		assertThat(writes.isUnconfirmed("a")).isFalse();
	}

	@Test
	void aWriterKnowsWhetherItsOwnMarkStands() {
		UnconfirmedWrites writes = new UnconfirmedWrites(60_000_000_000L, 10);
		writes.unconfirmed("a", "first", "owner", System.nanoTime());
		assertThat(writes.isMarkedBy("a", "first")).isTrue();
		assertThat(writes.isMarkedBy("a", "second")).as("another writer's mark").isFalse();
		assertThat(writes.isMarkedBy("b", "first")).isFalse();
		writes.confirmed("a", "first");
		assertThat(writes.isMarkedBy("a", "first")).isFalse();
	}

	@Test
	void aWritersMarkLapsesOnItsOwn() {
		UnconfirmedWrites writes = new UnconfirmedWrites(WINDOW, 10);
		writes.unconfirmed("a", "first", "owner", 5_000);
		writes.unconfirmed("a", "second", "owner", 5_500);
		assertThat(writes.isUnconfirmed("a", 5_000 + WINDOW)).as("the second writer's mark").isTrue();
		writes.confirmed("a", "second");
		assertThat(writes.isUnconfirmed("a", 5_000 + WINDOW)).isFalse();
	}

	@Test
	void aMarkLapsesAfterTheWindow() {
		UnconfirmedWrites writes = new UnconfirmedWrites(WINDOW, 10);
		writes.unconfirmed("a", "writer", "owner", 5_000);
		assertThat(writes.isUnconfirmed("a", 5_000 + WINDOW - 1)).isTrue();
		assertThat(writes.isUnconfirmed("a", 5_000 + WINDOW)).isFalse();
		// A lapsed mark is forgotten.
		assertThat(writes.isUnconfirmed("a", 5_000)).isFalse();
	}

	@Test
	void pastItsCapacityItForgetsLapsedMarksAndThenMarksEveryKey() {
		UnconfirmedWrites writes = new UnconfirmedWrites(WINDOW, 3);
		writes.unconfirmed("old", "writer", "owner", 0);
		for (int i = 0; i < 3; i++) {
			writes.unconfirmed("key-" + i, "writer", "owner", 2_000);
		}
		assertThat(writes.isUnconfirmed("other", 2_000)).isFalse();
		assertThat(writes.isUnconfirmed("key-0", 2_000)).isTrue();
		writes.unconfirmed("key-3", "writer", "owner", 2_000);
		// More marks than it may hold: every key is read locally for one window.
		assertThat(writes.isUnconfirmed("other", 2_000)).isTrue();
		assertThat(writes.isUnconfirmed("other", 2_000 + WINDOW)).isFalse();
		assertThat(writes.isUnconfirmed("key-0", 2_000 + WINDOW)).isFalse();
	}

	@Test
	void theMarksOfAWriterOrAnOwnerThatLeftAreDropped() {
		UnconfirmedWrites writes = new UnconfirmedWrites(WINDOW, 10);
		writes.unconfirmed("a", "gone", "owner", 5_000);
		writes.unconfirmed("b", "writer", "gone", 5_000);
		writes.unconfirmed("c", "writer", "owner", 5_000);
		writes.retainMembers(List.of("writer", "owner", "other"));
		assertThat(writes.isUnconfirmed("a", 5_000)).isFalse();
		assertThat(writes.isUnconfirmed("b", 5_000)).isFalse();
		assertThat(writes.isUnconfirmed("c", 5_000)).isTrue();
	}

	@Test
	void theNamesTravelInTheInvalidation() {
		assertThat(UnconfirmedWrites.names(UnconfirmedWrites.names("member-1", "mémber 2"))).containsExactly("member-1",
				"mémber 2");
		assertThatExceptionOfType(CodecException.class).isThrownBy(() -> UnconfirmedWrites.names(new byte[] { 0, 9 }));
	}

}
