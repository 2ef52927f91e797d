package dev.tiercache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.peers.PeersCluster;
import dev.tiercache.remote.peers.PeersRemoteTier;
import dev.tiercache.stats.StatsCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cache created on first use by concurrent callers exists once per node, and it is the
 * one the remote tier delivers invalidations to and serves peers from (the orphan a lost
 * race used to leave made a node serve its old copy after a cluster-wide clear).
 */
class CacheCreationRaceTests {

	@Test
	void concurrentFirstUseCreatesAndRegistersOneCache() throws Exception {
		PeersRemoteTier member = PeersCluster.start("creation-race", 1).get(0);
		FirstRegistrationWaits remote = new FirstRegistrationWaits(member);
		TierCacheManager manager = TierCacheManager.builder().remoteTier(remote).build();
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			Future<TierCache> first = threads.submit(() -> manager.getCache("books"));
			// The first creator is now inside register(); a second caller must not create
			// and register a cache of its own meanwhile.
			assertThat(remote.firstRegistering.await(10, TimeUnit.SECONDS)).isTrue();
			Future<TierCache> second = threads.submit(() -> manager.getCache("books"));
			remote.releaseFirst.countDown();
			TierCache cache = first.get(10, TimeUnit.SECONDS);
			assertThat(second.get(10, TimeUnit.SECONDS)).isSameAs(cache);
			assertThat(remote.registrations.get()).isEqualTo(1);
			assertThat(remote.registered.get("books")).isSameAs(cache.localStore());
			// What the remote tier delivers reaches the cache the application uses.
			cache.put("key", "value");
			remote.registered.get("books").invalidateAll();
			assertThat(cache.get("key")).isNull();
		}
		finally {
			threads.shutdownNow();
			manager.close();
		}
	}

	/**
	 * The peers tier, whose first registration waits until the test lets it go on.
	 */
	private static final class FirstRegistrationWaits extends ForwardingRemoteTier {

		final CountDownLatch firstRegistering = new CountDownLatch(1);

		final CountDownLatch releaseFirst = new CountDownLatch(1);

		final AtomicInteger registrations = new AtomicInteger();

		final Map<String, LocalStore> registered = new ConcurrentHashMap<>();

		FirstRegistrationWaits(RemoteTier delegate) {
			super(delegate);
		}

		@Override
		public void register(String cache, TierCacheConfiguration configuration, StatsCounter stats, LocalStore local) {
			if (this.registrations.incrementAndGet() == 1) {
				this.firstRegistering.countDown();
				try {
					// Bounded: with the race fixed no second registration can come, and
					// the
					// test goes on when this wait ends or the test releases it.
					this.releaseFirst.await(2, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			this.registered.put(cache, local);
			super.register(cache, configuration, stats, local);
		}

	}

}
