package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One load per missing key in the whole cluster, whatever the loader's duration, and no
 * waiter left behind: each test forces the interleaving that used to break it.
 */
class PeersSingleFlightTests {

	private final List<PeersRemoteTier> started = new ArrayList<>();

	private final List<TierCacheManager> managers = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void stop() {
		this.threads.shutdownNow();
		this.managers.forEach(TierCacheManager::close);
	}

	private List<TierCache> cluster(String name, int size, Duration rpcTimeout, Duration leaseTimeout) {
		List<PeersRemoteTier> members = PeersCluster.start(name, size, rpcTimeout, leaseTimeout);
		this.started.addAll(members);
		List<TierCache> caches = new ArrayList<>();
		for (PeersRemoteTier member : members) {
			TierCacheManager manager = TierCacheManager.builder()
				.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig())
				.remoteTier(member)
				.build();
			this.managers.add(manager);
			caches.add(manager.getCache("books"));
		}
		return caches;
	}

	private Object keyOwnedBy(int member) {
		for (int i = 0;; i++) {
			if (this.started.get(member).ownsLocally("books", "key-" + i)) {
				return "key-" + i;
			}
		}
	}

	@Test
	void loaderLongerThanTheRpcTimeoutRunsOnceForEveryNodeAndThread() throws Exception {
		// Callers parked at the owner are told to ask again every rpc-timeout / 2; that
		// answer once arrived as a lease, and every node ran its own load.
		List<TierCache> caches = cluster("slow-loader", 3, Duration.ofMillis(250), Duration.ofSeconds(10));
		Object key = keyOwnedBy(0);
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Object>> reads = new ArrayList<>();
		for (TierCache cache : caches) {
			for (int t = 0; t < 16; t++) {
				reads.add(this.threads.submit(() -> {
					go.await();
					return cache.get(key, () -> {
						loads.incrementAndGet();
						Thread.sleep(1000);
						return "loaded";
					});
				}));
			}
		}
		go.countDown();
		for (Future<Object> read : reads) {
			assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo("loaded");
		}
		assertThat(loads).hasValue(1);
		assertThat(caches.stream().mapToLong((cache) -> cache.getStats().count(Counter.PEER_ERRORS)).sum()).isZero();
	}

	@Test
	void loaderLongerThanTheLeaseKeepsItsLeaseAndRunsOnce() throws Exception {
		// The holder extends its lease while it loads; without that the lease passed to
		// the next waiter after lease-timeout and the key was loaded twice.
		List<TierCache> caches = cluster("slow-lease", 2, Duration.ofMillis(500), Duration.ofSeconds(1));
		Object key = keyOwnedBy(0);
		AtomicInteger loads = new AtomicInteger();
		Future<Object> holder = this.threads.submit(() -> caches.get(1).get(key, () -> {
			loads.incrementAndGet();
			Thread.sleep(3000);
			return "loaded";
		}));
		await().atMost(Duration.ofSeconds(10)).until(() -> loads.get() == 1);
		Future<Object> waiter = this.threads.submit(() -> caches.get(0).get(key, () -> {
			loads.incrementAndGet();
			return "loaded again";
		}));
		assertThat(holder.get(30, TimeUnit.SECONDS)).isEqualTo("loaded");
		assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo("loaded");
		assertThat(loads).hasValue(1);
	}

	@Test
	void ownerThatCannotEncodeItsValueMakesTheCallerLoadAtOnce() throws Exception {
		// Such an owner answered MISS, and callers asked again without pause for twice
		// the
		// lease timeout.
		List<TierCache> caches = cluster("unencodable", 2, Duration.ofMillis(250), Duration.ofSeconds(10));
		Object key = keyOwnedBy(0);
		Object notSerializable = new Object();
		assertThat(caches.get(0).get(key, () -> notSerializable)).isSameAs(notSerializable);
		long served = caches.get(0).getStats().count(Counter.SERVER_REQUESTS);
		assertThat(caches.get(1).get(key, () -> "loaded here")).isEqualTo("loaded here");
		assertThat(caches.get(0).getStats().count(Counter.SERVER_REQUESTS) - served).isEqualTo(1);
		assertThat(caches.get(1).getStats().count(Counter.PEER_ERRORS)).isEqualTo(1);
		assertThat(caches.get(1).getStats().count(Counter.LOADS)).isEqualTo(1);
	}

	@Test
	void interruptedWaiterLeavesTheQueueAndNoLeaseIsLeftBehind() throws Exception {
		List<TierCache> caches = cluster("interrupted", 2, Duration.ofSeconds(2), Duration.ofSeconds(10));
		Object key = keyOwnedBy(0);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch fail = new CountDownLatch(1);
		// Member 1 holds the owner's lease with a loader that fails when told to.
		Future<Object> holder = this.threads.submit(() -> caches.get(1).get(key, () -> {
			loading.countDown();
			fail.await();
			throw new IllegalStateException("database down");
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		// A thread of the owner parks on that lease, then gives up.
		Thread waiter = new Thread(() -> caches.get(0).get(key, () -> "interrupted caller"), "waiter");
		waiter.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> caches.get(0).getStats().count(Counter.LEASE_WAITS) == 1);
		waiter.interrupt();
		waiter.join(10_000);
		fail.countDown();
		assertThat(holder).failsWithin(Duration.ofSeconds(10));
		// The lease passed to nobody: the next caller loads at once.
		await().atMost(Duration.ofSeconds(5)).until(() -> this.started.get(0).leases("books") == 0);
		assertThat(caches.get(0).get(key, () -> "next caller")).isEqualTo("next caller");
	}

	@Test
	void concurrentFirstRequestsOfACacheCreatedOnFirstUseLoadOnce() throws Exception {
		// A real application's first requests: no cache declared, both nodes create it on
		// first use while the other node already asks for its keys.
		List<PeersRemoteTier> members = PeersCluster.start("cold-start", 2, Duration.ofMillis(500),
				Duration.ofSeconds(10));
		this.started.addAll(members);
		List<TierCacheManager> managers = new ArrayList<>();
		for (PeersRemoteTier member : members) {
			TierCacheManager manager = TierCacheManager.builder().remoteTier(member).build();
			this.managers.add(manager);
			managers.add(manager);
		}
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Object>> reads = new ArrayList<>();
		for (TierCacheManager manager : managers) {
			for (int t = 0; t < 8; t++) {
				reads.add(this.threads.submit(() -> {
					go.await();
					return manager.getCache("vets").get("all", () -> {
						loads.incrementAndGet();
						Thread.sleep(200);
						return "vets";
					});
				}));
			}
		}
		go.countDown();
		for (Future<Object> read : reads) {
			assertThat(read.get(30, TimeUnit.SECONDS)).isEqualTo("vets");
		}
		assertThat(loads).hasValue(1);
	}

}
