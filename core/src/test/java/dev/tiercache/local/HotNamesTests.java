package dev.tiercache.local;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.tiercache.FakeTicker;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.stats.StatsCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Removing hot copies by key name, as a Redis invalidation names them.
 */
class HotNamesTests {

	private final LocalTier tier = new LocalTier(
			TierCacheConfiguration.defaultCacheConfig().withMaximumSize(800).withHotRatio(0.125), true,
			new FakeTicker(), new SplittableRandom(1), Runnable::run, StatsCounter.concurrent());

	@Test
	void everyKeyOfANameIsRemovedWhateverItsType() {
		admit(150L);
		admit("150");
		admit(151L);
		List<Object> removed = new ArrayList<>();
		this.tier.removeHotNamed("150", removed::add);
		assertThat(removed).containsExactlyInAnyOrder(150L, "150");
		assertThat(this.tier.hotContains(150L)).isFalse();
		assertThat(this.tier.hotContains("150")).isFalse();
		assertThat(this.tier.hotContains(151L)).isTrue();
	}

	@Test
	void keyAdmittedAgainAfterARemovalIsFoundByName() {
		admit(7L);
		this.tier.removeHot(7L);
		admit(7L);
		this.tier.removeHotNamed("7", (key) -> {
		});
		assertThat(this.tier.hotContains(7L)).isFalse();
	}

	@Test
	void admissionThatIsNoLongerCurrentLeavesNoName() {
		this.tier.admitHot(9L, this.tier.newHotEntry("v", Long.MAX_VALUE), () -> false);
		assertThat(this.tier.hotNamesSize()).isZero();
	}

	@Test
	void indexStaysBoundedWhileHotEvictsBySize() {
		// Hot holds 100 entries; 10,000 are admitted.
		for (long key = 0; key < 10_000; key++) {
			admit(key);
		}
		assertThat(this.tier.hotNamesSize()).isLessThanOrEqualTo(2 * 100 + 1);
		this.tier.clear();
		assertThat(this.tier.hotNamesSize()).isZero();
	}

	private void admit(Object key) {
		assertThat(this.tier.admitHot(key, this.tier.newHotEntry("v" + key, Long.MAX_VALUE), () -> true)).isTrue();
	}

}
