package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.tiercache.ForwardingRemoteTier;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.blocks.Response;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.Cache.ValueWrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * No read older than a write that returned, and nothing cleared comes back: writes while
 * views differ, and a clear overtaken by a load.
 */
class PeersWriteTests {

	private final List<PeersRemoteTier> started = new ArrayList<>();

	private final List<TierCacheManager> managers = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void stop() {
		this.threads.shutdownNow();
		this.managers.forEach(TierCacheManager::close);
		this.started.forEach(PeersRemoteTier::close);
	}

	private TierCache cache(RemoteTier remote) {
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig())
			.remoteTier(remote)
			.build();
		this.managers.add(manager);
		return manager.getCache("books");
	}

	private Object keyOwnedBy(int member) {
		for (int i = 0;; i++) {
			if (this.started.get(member).ownsLocally("books", "key-" + i)) {
				return "key-" + i;
			}
		}
	}

	/** Hold the requests of {@code types} that reach {@code member} until released. */
	private static HoldRequests holdAt(PeersRemoteTier member, Type... types) throws Exception {
		return hold(member, new HoldRequests(types));
	}

	/**
	 * Hold the requests of {@code types} that {@code sender} sends to {@code member}
	 * until released.
	 */
	private static HoldRequests holdAt(PeersRemoteTier member, PeersRemoteTier sender, Type... types) throws Exception {
		return hold(member, new HoldRequests(sender.channel().getAddress(), types));
	}

	private static HoldRequests hold(PeersRemoteTier member, HoldRequests hold) throws Exception {
		member.channel().getProtocolStack().insertProtocol(hold, ProtocolStack.Position.ABOVE, UNICAST3.class);
		return hold;
	}

	/** Make {@code member} believe that {@code owner} owns every key. */
	private static void believeOwner(PeersRemoteTier member, String owner) {
		PeerChannel channel = member.peerChannel();
		Membership real = channel.membership();
		channel.membership(new Membership(real.view(), new HashRing(List.of(owner)), real.addresses(), List.of()));
	}

	private static void realView(PeersRemoteTier member) {
		PeerChannel channel = member.peerChannel();
		channel.membership(Membership.of(member.channel().getView()));
	}

	@Test
	void writeRefusedByAMemberWithAnotherViewLeavesNoOldCopyAnywhere() {
		this.started.addAll(PeersCluster.start("views-differ", 2));
		TierCache writer = cache(this.started.get(0));
		TierCache refuser = cache(this.started.get(1));
		Object key = keyOwnedBy(0);
		// The refusing member once owned the key and kept a copy in main.
		believeOwner(this.started.get(1), "member-2");
		refuser.put(key, "old");
		realView(this.started.get(1));
		assertThat(refuser.whereCached(key)).containsExactly("main");
		// Now the writer thinks the refuser owns the key, and the refuser disagrees.
		believeOwner(this.started.get(0), "member-2");
		writer.put(key, "new");
		assertThat(writer.getStats().count(Counter.PEER_ERRORS)).isPositive();
		assertThat(writer.get(key).get()).isEqualTo("new");
		realView(this.started.get(0));
		assertThat(refuser.get(key)).isNull();
	}

	@Test
	void clearOvertakenByALoadLeavesNothingBehind() throws Exception {
		this.started.addAll(PeersCluster.start("clear-race", 2));
		ClearWaits gated = new ClearWaits(this.started.get(0));
		TierCache owner = cache(gated);
		TierCache other = cache(this.started.get(1));
		Object key = keyOwnedBy(0);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch finishLoad = new CountDownLatch(1);
		Future<Object> load = this.threads.submit(() -> other.get(key, () -> {
			loading.countDown();
			finishLoad.await();
			return "loaded before the clear";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		// The owner clears its own tiers, then is held before it tells anyone.
		Future<?> clear = this.threads.submit(owner::clear);
		gated.reached.get(10, TimeUnit.SECONDS);
		finishLoad.countDown();
		assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("loaded before the clear");
		await().atMost(Duration.ofSeconds(10)).until(() -> owner.whereCached(key).contains("main"));
		gated.open.countDown();
		clear.get(10, TimeUnit.SECONDS);
		assertThat(owner.get(key)).isNull();
		assertThat(other.get(key)).isNull();
	}

	@Test
	void clearReachingTheMembersAtDifferentTimesLeavesNoOldCopy() throws Exception {
		// Members clear in parallel: one that has cleared can fetch a key from an owner
		// that has not, and keep the old value after the clear returned.
		this.started.addAll(PeersCluster.start("clear-order", 3));
		TierCache clearer = cache(this.started.get(0));
		TierCache reader = cache(this.started.get(1));
		TierCache owner = cache(this.started.get(2));
		Object key = keyOwnedBy(2);
		owner.put(key, "old");
		HoldRequests hold = holdAt(this.started.get(2), Type.CLEAR);
		long received = reader.getStats().count(Counter.INVALIDATIONS_RECEIVED);
		Future<?> clear = this.threads.submit(clearer::clear);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(hold.held()).as("clears held at the owner").isEqualTo(1);
			assertThat(reader.getStats().count(Counter.INVALIDATIONS_RECEIVED) - received).as("clears at the reader")
				.isOne();
		});
		assertThat(reader.get(key).get()).isEqualTo("old");
		hold.release();
		clear.get(10, TimeUnit.SECONDS);
		assertThat(reader.get(key)).isNull();
		assertThat(owner.get(key)).isNull();
	}

	@Test
	void evictionAnOwnerAppliesLateLeavesNoOldCopyOnAMemberThatReadItMeanwhile() throws Exception {
		// An owner starved of CPU answers after rpc-timeout: the writer has told everyone
		// to drop the key and returned, and a member that fetched the key from the owner
		// before the late eviction kept the old value until hot-ttl.
		this.started.addAll(PeersCluster.start("slow-owner", 3, Duration.ofMillis(250), Duration.ofSeconds(10)));
		TierCache writer = cache(this.started.get(0));
		TierCache reader = cache(this.started.get(1));
		TierCache owner = cache(this.started.get(2));
		Object key = keyOwnedBy(2);
		owner.put(key, "old");
		HoldRequests slow = holdAt(this.started.get(2), Type.EVICT, Type.INVALIDATE);
		writer.evict(key);
		// The eviction and the invalidation, and perhaps the first follow-up already.
		assertThat(slow.held()).isGreaterThanOrEqualTo(2);
		assertThat(reader.get(key)).as("a read after the eviction returned, from an owner that has not applied it")
			.isNull();
		assertThat(reader.get(key, () -> "loaded")).isEqualTo("loaded");
		assertThat(writer.get(key)).isNull();
		slow.release();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(reader.get(key)).isNull());
		assertThat(owner.get(key)).isNull();
		assertReadsFromTheOwnerAgain(owner, reader, key);
	}

	@Test
	void putAnOwnerAppliesLateIsNotUndoneByTheOldValueOnAnotherMember() throws Exception {
		this.started.addAll(PeersCluster.start("slow-owner-put", 3, Duration.ofMillis(250), Duration.ofSeconds(10)));
		TierCache writer = cache(this.started.get(0));
		TierCache reader = cache(this.started.get(1));
		TierCache owner = cache(this.started.get(2));
		Object key = keyOwnedBy(2);
		owner.put(key, "old");
		HoldRequests slow = holdAt(this.started.get(2), Type.PUT, Type.EVICT, Type.INVALIDATE);
		writer.put(key, "new");
		assertThat(slow.held()).isGreaterThanOrEqualTo(2);
		assertThat(writer.get(key).get()).isEqualTo("new");
		assertThat(reader.get(key)).as("a read after the put returned, from an owner that has not applied it").isNull();
		slow.release();
		// The late put, then the invalidation and the follow-up eviction, which removes
		// whatever the owner holds: the key is loaded again.
		assertReadsFromTheOwnerAgain(owner, reader, key);
	}

	@Test
	void confirmationOfOneWriterKeepsTheMarkOfAnotherWhoseWriteTheOwnerHasNotApplied() throws Exception {
		// Two writers' puts reach a slow owner late. The second writer's is applied and
		// confirmed first; the first writer's is applied later, and until its own
		// confirmation the owner serves that older value.
		this.started.addAll(PeersCluster.start("two-writers", 4, Duration.ofMillis(250), Duration.ofSeconds(10)));
		TierCache first = cache(this.started.get(0));
		TierCache second = cache(this.started.get(1));
		TierCache reader = cache(this.started.get(2));
		TierCache owner = cache(this.started.get(3));
		Object key = keyOwnedBy(3);
		owner.put(key, "old");
		PeersRemoteTier slow = this.started.get(3);
		HoldRequests firstPut = holdAt(slow, this.started.get(0), Type.PUT);
		HoldRequests firstFollowUps = holdAt(slow, this.started.get(0), Type.EVICT, Type.INVALIDATE);
		HoldRequests secondWrites = holdAt(slow, this.started.get(1), Type.PUT, Type.EVICT, Type.INVALIDATE);
		long received = reader.getStats().count(Counter.INVALIDATIONS_RECEIVED);
		first.put(key, "first");
		second.put(key, "second");
		assertThat(firstPut.held()).isOne();
		assertThat(secondWrites.held()).isGreaterThanOrEqualTo(2);
		// The second writer's put, then its follow-up, which confirms it to every member.
		secondWrites.release();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(reader.getStats().count(Counter.INVALIDATIONS_RECEIVED) - received)
				.as("the first put's and the second put's invalidations, and the second's confirmation")
				.isEqualTo(3));
		// Now the first writer's put, which the owner applies over the second's.
		firstPut.release();
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(
					() -> assertThat(owner.get(key)).isNotNull().extracting(ValueWrapper::get).isEqualTo("first"));
		assertThat(reader.get(key))
			.as("a read after the second put returned, from an owner that applied the first late")
			.isNull();
		firstFollowUps.release();
		assertReadsFromTheOwnerAgain(owner, reader, key);
	}

	/**
	 * Once the owner has confirmed the write, well before the fence would lapse on its
	 * own, the reader fetches the key from the owner again.
	 */
	private void assertReadsFromTheOwnerAgain(TierCache owner, TierCache reader, Object key) {
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			owner.put(key, "newer");
			assertThat(reader.get(key)).isNotNull().extracting(ValueWrapper::get).isEqualTo("newer");
		});
	}

	@Test
	void memberWithTheNameOfAnotherRefusesToStart() {
		this.started.addAll(PeersCluster.start("same-name", 1));
		PeersSettings first = this.started.get(0).settings();
		PeersRemoteTier twin = PeersCluster.member(first.withNodeName(first.nodeName()));
		assertThatIllegalStateException().isThrownBy(twin::start)
			.withMessageContaining("already named 'member-1'")
			.withMessageContaining("tiercache.node-name");
		assertThat(this.started.get(0).view().members()).hasSize(1);
	}

	@Test
	void peersCanCreateOnlyABoundedNumberOfCachesByNamingThem() {
		this.started.addAll(PeersCluster.start("cache-names", 1));
		TierCacheManager manager = TierCacheManager.builder().remoteTier(this.started.get(0)).build();
		this.managers.add(manager);
		AtomicReference<PeerMessage> reply = new AtomicReference<>();
		for (int i = 0; i < 100; i++) {
			PeerMessage request = PeerMessage.of(Type.FETCH, "cache-" + i, new byte[] { 1, 'k' });
			this.started.get(0).requestHandler().handle(new BytesMessage(null, request.encode()), capture(reply));
		}
		assertThat(manager.getCacheNames()).hasSize(RequestServer.MAX_CREATED_BY_PEERS);
		assertThat(reply.get().type()).isEqualTo(Type.NO_CACHE);
	}

	@Test
	void membersWithoutDynamicCreationServeOnlyTheirCaches() {
		this.started.addAll(PeersCluster.start("fixed-caches", 1));
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig())
			.dynamic(false)
			.remoteTier(this.started.get(0))
			.build();
		this.managers.add(manager);
		AtomicReference<PeerMessage> reply = new AtomicReference<>();
		PeerMessage request = PeerMessage.of(Type.FETCH, "authors", new byte[] { 1, 'k' });
		this.started.get(0).requestHandler().handle(new BytesMessage(null, request.encode()), capture(reply));
		assertThat(reply.get().type()).isEqualTo(Type.NO_CACHE);
		assertThat(manager.getCacheNames()).containsExactly("books");
	}

	static Response capture(AtomicReference<PeerMessage> reply) {
		return new Response() {

			@Override
			public void send(Object value, boolean exception) {
				byte[] bytes = (byte[]) value;
				reply.set(PeerMessage.decode(bytes, 0, bytes.length));
			}

			@Override
			public void send(Message message, boolean exception) {
				send(message.getArray(), exception);
			}

		};
	}

	/**
	 * The peers tier, whose clear waits (after the cache cleared its own tiers, before
	 * the tier cancels leases and tells the others) until the test opens it.
	 */
	private static final class ClearWaits extends ForwardingRemoteTier {

		final CompletableFuture<Void> reached = new CompletableFuture<>();

		final CountDownLatch open = new CountDownLatch(1);

		ClearWaits(RemoteTier delegate) {
			super(delegate);
		}

		@Override
		public boolean clear(String cache) {
			this.reached.complete(null);
			try {
				this.open.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return super.clear(cache);
		}

	}

}
