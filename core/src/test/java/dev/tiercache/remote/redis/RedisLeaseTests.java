package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.TierCache;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leases through faults: a lease must never outlive its holder's interest (released when
 * its store fails or its holder never learnt it had it, extended while the loader runs).
 */
class RedisLeaseTests {

	private final RedisNodes nodes = new RedisNodes();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void stop() throws InterruptedException {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		this.nodes.close();
	}

	@Test
	void leaseTakenByAScriptWhoseReplyTimedOutIsReleased() throws Exception {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		// Redis knows the scripts already, as it does once an application has run.
		first.get("warm-up", () -> "loaded");
		// The first node's FETCH_OR_LEASE times out after 500 ms, but Redis runs it when
		// the pause ends: the first node holds a lease it was never told about.
		this.nodes.pause(Duration.ofMillis(700), "ALL");
		assertThat(first.get("k", () -> "first")).isEqualTo("first");
		assertThat(first.getStats().count(Counter.REDIS_ERRORS)).isPositive();
		this.nodes.awaitAnswering();
		long start = System.nanoTime();
		assertThat(second.get("k", () -> "second")).isEqualTo("second");
		long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		assertThat(waitedMillis).as("the next reader's wait for an orphan lease (lease-timeout is 10 s)")
			.isLessThan(3_000);
	}

	@Test
	void leaseWhoseStoreFailedIsReleased() throws Exception {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		Future<String> load = this.threads.submit(() -> first.get("k", () -> {
			loading.countDown();
			finish.await();
			return "first";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		// Redis refuses the store (OOM), but still deletes keys.
		this.nodes.execute("CONFIG", "SET", "maxmemory", "1");
		finish.countDown();
		assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("first");
		assertThat(first.getStats().count(Counter.REDIS_ERRORS)).isPositive();
		this.nodes.execute("CONFIG", "SET", "maxmemory", "0");
		long start = System.nanoTime();
		assertThat(second.get("k", () -> "second")).isEqualTo("second");
		long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		assertThat(waitedMillis).as("the next reader's wait for the lease of a failed store (lease-timeout is 10 s)")
			.isLessThan(3_000);
	}

	@Test
	void loaderSlowerThanTheLeaseKeepsItsLeaseStoresOnceAndTheOthersWaitForIt() throws Exception {
		Duration leaseTimeout = Duration.ofMillis(300);
		RedisTierSettings shortLeases = new RedisTierSettings("test:", leaseTimeout, Duration.ofMillis(500),
				Duration.ofMillis(100), false, 2, Duration.ofMillis(200));
		TierCache first = this.nodes.node(RedisNodes.BOOKS, shortLeases);
		TierCache second = this.nodes.node(RedisNodes.BOOKS, shortLeases);
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		Future<String> slow = this.threads.submit(() -> first.get("k", () -> {
			loads.incrementAndGet();
			loading.countDown();
			finish.await();
			return "slow";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		long leased = System.nanoTime();
		Future<String> waiter = this.threads.submit(() -> second.get("k", () -> {
			loads.incrementAndGet();
			return "reloaded";
		}));
		await().atMost(Duration.ofSeconds(10)).until(() -> second.getStats().count(Counter.LEASE_WAITS) == 1);
		// The loader takes five times the lease-timeout.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> System.nanoTime() - leased > 5 * leaseTimeout.toNanos() || waiter.isDone());
		assertThat(loads).as("loads while the first loader runs").hasValue(1);
		finish.countDown();
		assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
		assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
		assertThat(loads).as("loads in the cluster").hasValue(1);
		assertThat(this.nodes.node(RedisNodes.BOOKS, shortLeases).get("k", () -> "third")).as("stored in Redis")
			.isEqualTo("slow");
	}

}
