package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.RemoteThreads;
import dev.tiercache.TierCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Asynchronous misses in redis mode hold no thread while they wait: for another node's
 * lease, or for the application's own loader. Only the Redis commands themselves run on a
 * thread, briefly.
 */
class RedisAsyncLoadTests {

	private static final int KEYS = 100;

	private final RedisNodes nodes = new RedisNodes();

	@AfterEach
	void close() throws Exception {
		this.nodes.close();
	}

	@Test
	void pendingAsynchronousLoadsAndLeaseWaitsHoldNoThread() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		Map<String, CompletableFuture<String>> database = new ConcurrentHashMap<>();
		AtomicInteger loads = new AtomicInteger();
		List<CompletableFuture<String>> results = new ArrayList<>();
		for (int i = 0; i < KEYS; i++) {
			String key = "key-" + i;
			results.add(first.retrieve(key, () -> {
				loads.incrementAndGet();
				return database.computeIfAbsent(key, (k) -> new CompletableFuture<>());
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> database.size() == KEYS);
		for (int i = 0; i < KEYS; i++) {
			results.add(second.retrieve("key-" + i, () -> {
				loads.incrementAndGet();
				return CompletableFuture.completedFuture("loaded twice");
			}));
		}
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> RemoteThreads.busy() < 5);
		database.forEach((key, value) -> value.complete("value of " + key));
		for (int i = 0; i < results.size(); i++) {
			assertThat(results.get(i)).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("value of key-" + (i % KEYS));
		}
		assertThat(loads).hasValue(KEYS);
	}

}
