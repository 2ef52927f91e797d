package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueWrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Members install a new view one by one. A writer that still has the old view does not
 * know a member that has just joined, while a member that already has the new view has
 * handed that newcomer the entries it now owns: the write must reach the newcomer all the
 * same before it returns. Found by {@code PeersHistoryTests} (seed 4711603696204012372: a
 * clear by a member whose view lagged by 3 ms left a handed-off entry on the member that
 * had just joined, and every member read it from there).
 */
class PeersViewChangeWriteTests {

	private final List<PeersRemoteTier> started = new ArrayList<>();

	private final List<TierCacheManager> managers = new ArrayList<>();

	@AfterEach
	void stop() {
		this.managers.forEach(TierCacheManager::close);
		this.started.forEach(PeersRemoteTier::close);
	}

	@Test
	void aClearByAMemberWithTheOldViewReachesTheMemberThatJustJoined() throws Exception {
		writeWithTheOldViewReachesTheNewcomer("clear-view", (cache, key) -> cache.clear());
	}

	@Test
	void anEvictionByAMemberWithTheOldViewReachesTheMemberThatJustJoined() throws Exception {
		writeWithTheOldViewReachesTheNewcomer("evict-view", TierCache::evict);
	}

	@Test
	void aPutByAMemberWithTheOldViewReachesTheMemberThatJustJoined() throws Exception {
		writeWithTheOldViewReachesTheNewcomer("put-view", (cache, key) -> cache.put(key, "new value"));
	}

	/**
	 * Member 1 holds a key that member 3 owns once it joins; member 2 keeps the old view
	 * while member 3 joins and member 1 hands the key off to it; then member 2 writes.
	 */
	private void writeWithTheOldViewReachesTheNewcomer(String cluster, BiConsumer<TierCache, String> write)
			throws Exception {
		int basePort = PeersCluster.freePortRange(6);
		PeersRemoteTier first = PeersCluster.member(PeersCluster.settings(cluster, basePort, 1, 3));
		PeersRemoteTier writer = PeersCluster.member(PeersCluster.settings(cluster, basePort, 2, 3));
		PeersRemoteTier newcomer = PeersCluster.member(PeersCluster.settings(cluster, basePort, 3, 3));
		TierCache firstCache = cache(first);
		TierCache writerCache = cache(writer);
		TierCache newcomerCache = cache(newcomer);
		start(first);
		start(writer);
		PeersCluster.awaitMembers(this.started, 2);
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
		String finalKey = key;
		assertThat(firstCache.get(finalKey, () -> "old value")).isEqualTo("old value");
		HoldViews views = new HoldViews();
		writer.channel().getProtocolStack().insertProtocol(views, ProtocolStack.Position.BELOW, GMS.class);
		start(newcomer);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> first.view().members().size() == 3 && newcomer.view().members().size() == 3);
		await().atMost(Duration.ofSeconds(10)).until(() -> newcomerCache.getLocalTier().getMain(finalKey) != null);
		assertThat(writer.view().members()).as("the writer still has the old view").hasSize(2);
		// The writer installs the new view once the first member has answered its write,
		// as a member a few milliseconds behind does.
		long served = firstCache.getStats().count(Counter.SERVER_REQUESTS);
		CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
			await().atMost(Duration.ofSeconds(10))
				.until(() -> firstCache.getStats().count(Counter.SERVER_REQUESTS) > served);
			views.release();
		});
		try {
			write.accept(writerCache, finalKey);
			CacheEntry main = newcomerCache.getLocalTier().getMain(finalKey);
			assertThat((main != null) ? main.get() : null).as("the newcomer's entry once the write returned")
				.isIn(null, "new value");
		}
		finally {
			views.release();
			release.get();
		}
		assertThat(newcomerCache.get(finalKey, () -> "loaded again")).isIn("loaded again", "new value");
	}

	@Test
	void aWriteTheOwnerHasNotConfirmedIsMarkedOnTheMemberThatJustJoined() throws Exception {
		// The owner keeps the key across the view change and is slow: it has not applied
		// the put when the writer returns. The writer's view lags, so its invalidation
		// marks the key only on the members of its old view; the newcomer learns of the
		// mark from the invalidation the writer sends again once it has the new view,
		// and reads the key from no other member (the owner still serves the old value)
		// until the owner confirms the put.
		int basePort = PeersCluster.freePortRange(6);
		String cluster = "unconfirmed-view";
		PeersRemoteTier owner = PeersCluster.member(PeersCluster.settings(cluster, basePort, 1, 3));
		PeersRemoteTier writer = PeersCluster.member(PeersCluster.settings(cluster, basePort, 2, 3));
		PeersRemoteTier newcomer = PeersCluster.member(PeersCluster.settings(cluster, basePort, 3, 3));
		TierCache ownerCache = cache(owner);
		TierCache writerCache = cache(writer);
		TierCache newcomerCache = cache(newcomer);
		start(owner);
		start(writer);
		PeersCluster.awaitMembers(this.started, 2);
		String key = keyOwnedInBoth("member-1", List.of("member-1", "member-2"),
				List.of("member-1", "member-2", "member-3"));
		ownerCache.put(key, "old value");
		HoldViews views = new HoldViews();
		writer.channel().getProtocolStack().insertProtocol(views, ProtocolStack.Position.BELOW, GMS.class);
		start(newcomer);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> owner.view().members().size() == 3 && newcomer.view().members().size() == 3);
		assertThat(writer.view().members()).as("the writer still has the old view").hasSize(2);
		HoldRequests slow = new HoldRequests(writer.channel().getAddress(), Type.PUT, Type.EVICT, Type.INVALIDATE);
		owner.channel().getProtocolStack().insertProtocol(slow, ProtocolStack.Position.ABOVE, UNICAST3.class);
		// The writer installs the new view once its put and its invalidation have reached
		// the owner, which applies neither yet: the invalidation marked the key on the
		// members of the old view only.
		CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
			await().atMost(Duration.ofSeconds(10)).until(() -> slow.held() >= 2);
			views.release();
		});
		try {
			writerCache.put(key, "new value");
			assertThat(slow.held()).as("the put, the invalidation and perhaps a follow-up, held at the owner")
				.isGreaterThanOrEqualTo(2);
			assertThat(writer.view().members()).as("the writer's view once the put returned").hasSize(3);
			assertThat(newcomerCache.get(key)).as("the newcomer's read after the put returned").isNull();
		}
		finally {
			views.release();
			release.get();
			slow.release();
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			ownerCache.put(key, "newer value");
			assertThat(newcomerCache.get(key)).as("read from the owner again once it confirmed the put")
				.isNotNull()
				.extracting(ValueWrapper::get)
				.isEqualTo("newer value");
		});
	}

	private static String keyOwnedInBoth(String owner, List<String> now, List<String> next) {
		HashRing before = new HashRing(now);
		HashRing after = new HashRing(next);
		for (int i = 0;; i++) {
			String candidate = "key-" + i;
			if (before.ownerOf("books:" + candidate).equals(owner)
					&& after.ownerOf("books:" + candidate).equals(owner)) {
				return candidate;
			}
		}
	}

	private void start(PeersRemoteTier member) {
		member.start();
		this.started.add(member);
	}

	private TierCache cache(PeersRemoteTier member) {
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig())
			.remoteTier(member)
			.build();
		this.managers.add(manager);
		return manager.getCache("books");
	}

}
