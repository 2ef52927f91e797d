package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.tiercache.GatedCodec;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Entries move to their new owner when the view changes, and a hand-off never brings back
 * what the cluster removed while it was in flight.
 */
class PeersHandoffTests {

	private final List<PeersRemoteTier> started = new ArrayList<>();

	private final List<TierCacheManager> managers = new ArrayList<>();

	@AfterEach
	void stop() {
		this.managers.forEach(TierCacheManager::close);
		this.started.forEach(PeersRemoteTier::close);
	}

	private TierCache cache(PeersRemoteTier member) {
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig().withMaximumSize(100_000))
			.remoteTier(member)
			.build();
		this.managers.add(manager);
		return manager.getCache("books");
	}

	@Test
	void handOffOvertakenByAnEvictionDoesNotBringTheEntryBack() throws Exception {
		int basePort = PeersCluster.freePortRange(6);
		GatedCodec codec = new GatedCodec();
		PeersRemoteTier first = PeersRemoteTier.create(PeersCluster.settings("handoff-race", basePort, 1, 3), codec);
		PeersRemoteTier second = PeersCluster.member(PeersCluster.settings("handoff-race", basePort, 2, 3));
		PeersRemoteTier third = PeersCluster.member(PeersCluster.settings("handoff-race", basePort, 3, 3));
		TierCache firstCache = cache(first);
		cache(second);
		TierCache thirdCache = cache(third);
		first.start();
		this.started.add(first);
		second.start();
		this.started.add(second);
		PeersCluster.awaitMembers(this.started, 2);
		// A key the first member owns now and the third will own once it joins.
		HashRing now = new HashRing(List.of("member-1", "member-2"));
		HashRing next = new HashRing(List.of("member-1", "member-2", "member-3"));
		String key = null;
		for (int i = 0; key == null; i++) {
			String candidate = "key-" + i;
			if (now.ownerOf("books:" + candidate).equals("member-1")
					&& next.ownerOf("books:" + candidate).equals("member-3")) {
				key = candidate;
			}
		}
		firstCache.put(key, "old value");
		// The first member reads the entry for its hand-off and is held before sending
		// it.
		codec.armAnyThread("old value");
		third.start();
		this.started.add(third);
		codec.awaitReached();
		// Meanwhile the application evicts the key at its new owner, which tells
		// everyone.
		thirdCache.evict(key);
		long served = thirdCache.getStats().count(Counter.SERVER_REQUESTS);
		codec.open();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> thirdCache.getStats().count(Counter.SERVER_REQUESTS) > served);
		assertThat(thirdCache.whereCached(key)).isEmpty();
		assertThat(thirdCache.get(key)).isNull();
		assertThat(firstCache.get(key)).isNull();
	}

	@Test
	void gracefulStopHandsOffLargeValuesInBatchesThatFit() {
		List<PeersRemoteTier> members = PeersCluster.start("handoff-large", 2);
		this.started.addAll(members);
		TierCache leaving = cache(members.get(0));
		TierCache staying = cache(members.get(1));
		String large = "x".repeat(250_000);
		int owned = 0;
		for (int i = 0; owned < 150; i++) {
			String key = "key-" + i;
			if (members.get(0).ownsLocally("books", key)) {
				// Loaded, not written: a write tells the other member, which then refuses
				// a
				// hand-off of that key for a few seconds (RecentRemovals).
				String value = large + i;
				leaving.get(key, () -> value);
				owned++;
			}
		}
		// 150 values of 250 KB: one batch of them would be larger than a message may be.
		members.get(0).stop();
		assertThat(staying.getStats().count(Counter.HANDOFF_ENTRIES)).isEqualTo(150);
		assertThat(staying.getLocalTier().mainSize()).isEqualTo(150);
	}

}
