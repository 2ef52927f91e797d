package dev.tiercache.remote.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.RemoteThreads;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Asynchronous misses ({@code retrieve}, what Spring calls for {@code CompletableFuture},
 * {@code Mono} and {@code Flux} methods) hold no thread while they wait: for the owner,
 * for another node's load, or for the application's own loader.
 */
class PeersAsyncLoadTests {

	private static final int KEYS = 100;

	private final List<TierCacheManager> managers = new ArrayList<>();

	private final List<PeersRemoteTier> started = new ArrayList<>();

	@AfterEach
	void stop() {
		this.managers.forEach(TierCacheManager::close);
	}

	@Test
	void pendingAsynchronousLoadsAndLeaseWaitsHoldNoThread() {
		this.started.addAll(PeersCluster.start("async", 2));
		List<TierCache> caches = new ArrayList<>();
		for (PeersRemoteTier member : this.started) {
			TierCacheManager manager = TierCacheManager.builder()
				.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig())
				.remoteTier(member)
				.build();
			this.managers.add(manager);
			caches.add(manager.getCache("books"));
		}
		List<String> keys = new ArrayList<>();
		for (int i = 0; keys.size() < KEYS; i++) {
			if (this.started.get(1).ownsLocally("books", "key-" + i)) {
				keys.add("key-" + i);
			}
		}
		Map<String, CompletableFuture<String>> database = new ConcurrentHashMap<>();
		AtomicInteger loads = new AtomicInteger();
		List<CompletableFuture<String>> results = new ArrayList<>();
		// The first member loads every key under the owner's lease...
		for (String key : keys) {
			results.add(caches.get(0).retrieve(key, () -> {
				loads.incrementAndGet();
				return database.computeIfAbsent(key, (k) -> new CompletableFuture<>());
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> database.size() == KEYS);
		// ...while the owner's own callers wait for those loads.
		for (String key : keys) {
			results.add(caches.get(1).retrieve(key, () -> {
				loads.incrementAndGet();
				return CompletableFuture.completedFuture("loaded by the owner");
			}));
		}
		assertThat(RemoteThreads.busy()).as("threads held by %d pending loads", 2 * KEYS).isLessThan(5);
		database.forEach((key, value) -> value.complete("value of " + key));
		for (int i = 0; i < results.size(); i++) {
			String key = keys.get(i % KEYS);
			assertThat(results.get(i)).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("value of " + key);
		}
		assertThat(loads).hasValue(KEYS);
	}

}
