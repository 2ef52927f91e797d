package dev.tiercache.remote.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import dev.tiercache.remote.RemoteTierException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a replay of pending evictions does with the answers it gets.
 */
class PendingEvictionsTests {

	private final PendingEvictions pending = new PendingEvictions();

	private final List<Object> replayed = new ArrayList<>();

	private int batches;

	@Test
	void evictionThatRedisRefusesIsDroppedAndTheOthersAreReplayed() {
		for (int i = 0; i < 20; i++) {
			this.pending.add("books", "good" + i);
		}
		this.pending.add("books", "refused");
		this.pending.replay(tier("refused", "CROSSSLOT Keys in request don't hash to the same slot"), Set.of("books"));
		assertThat(this.replayed).hasSize(20);
		assertThat(this.pending.size()).isZero();
	}

	@Test
	void manyEvictionsOfOneCacheAreReplayedTogether() {
		for (int i = 0; i < 600; i++) {
			this.pending.add("books", i);
		}
		this.pending.add("shelf", "alone");
		this.pending.replay(tier("none", ""), Set.of("books", "shelf"));
		assertThat(this.batches).isOne();
		assertThat(this.replayed).hasSize(601);
		assertThat(this.pending.isEmpty()).isTrue();
	}

	@Test
	void batchThatRedisDoesNotAnswerInPartIsReplayedOneAtATime() {
		// On a Cluster, one shard failing over fails the batch; the others' keys go
		// through one at a time.
		for (int i = 0; i < 20; i++) {
			this.pending.add("books", i);
		}
		this.pending.replay(tier(7, "Command timed out after 500 millisecond(s)"), Set.of("books"));
		assertThat(this.batches).isOne();
		assertThat(this.replayed).hasSize(19).doesNotContain(7);
		assertThat(this.pending.size()).isOne();
	}

	@Test
	void replayStopsWhenRedisDoesNotAnswer() {
		this.pending.add("books", "unanswered");
		this.pending.replay(tier("unanswered", "Command timed out after 500 millisecond(s)"), Set.of("books"));
		assertThat(this.pending.size()).isOne();
	}

	private PendingEvictions.Replay tier(Object failing, String error) {
		return new PendingEvictions.Replay() {

			@Override
			public boolean evict(String cache, Object key) {
				if (key.equals(failing)) {
					throw new RemoteTierException("Redis UNLINK failed: " + error, new IllegalStateException(error));
				}
				PendingEvictionsTests.this.replayed.add(key);
				return true;
			}

			@Override
			public void evictAll(String cache, Collection<Object> keys) {
				PendingEvictionsTests.this.batches++;
				if (keys.contains(failing)) {
					throw new RemoteTierException("Redis UNLINK failed: " + error, new IllegalStateException(error));
				}
				PendingEvictionsTests.this.replayed.addAll(keys);
			}

			@Override
			public boolean clear(String cache) {
				return true;
			}

			@Override
			public void notifyOthers(String cache, String name) {
				PendingEvictionsTests.this.replayed.add(name);
			}

		};
	}

	@Test
	void invalidationsWhosePublishFailedAreSentAgainAfterTheEvictions() {
		this.pending.addNotice("books", "published-later");
		this.pending.add("books", "evicted-later");
		this.pending.replay(tier("none", ""), Set.of("books"));
		assertThat(this.replayed).containsExactly("evicted-later", "published-later");
		assertThat(this.pending.isEmpty()).isTrue();
	}

}
