package dev.tiercache.autoconfigure.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheManager;
import dev.tiercache.autoconfigure.TierCacheAutoConfiguration;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.peers.PeersCluster;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The remote tiers' meters move when their events happen: several application contexts in
 * one JVM, forming a peers cluster on loopback or sharing one real Redis.
 */
class RemoteModeMetricsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				DataRedisAutoConfiguration.class, TierCacheAutoConfiguration.class, CacheAutoConfiguration.class,
				TierCacheMetricsAutoConfiguration.class, CacheMetricsAutoConfiguration.class))
		.withUserConfiguration(CachingConfiguration.class)
		.withPropertyValues("tiercache.cache-names=books");

	private final int clusterPort = PeersCluster.freePortRange(6);

	private ApplicationContextRunner peer(int index) {
		return this.contextRunner.withPropertyValues("tiercache.mode=peers", "spring.application.name=metrics",
				"tiercache.node-name=node-" + index, "tiercache.cluster.port=" + this.clusterPort,
				"tiercache.cluster.port-range=4");
	}

	@Test
	void peersMetersCountRemoteAndHotHitsServedRequestsInvalidationsAndMembers() {
		peer(1).run((first) -> peer(2).run((second) -> {
			awaitMembers(2, first, second);
			Object key = keyOwnedBy(first, "node-2");
			cache(second).put(key, "Dune");
			assertThat(cache(first).get(key).get()).isEqualTo("Dune");
			assertThat(cache(first).get(key).get()).isEqualTo("Dune");
			MeterRegistry one = registry(first);
			MeterRegistry two = registry(second);
			assertThat(count(one, "tiercache.hits", "tier", "remote")).isEqualTo(1);
			assertThat(count(one, "tiercache.hits", "tier", "hot")).isEqualTo(1);
			assertThat(count(two, "tiercache.server.requests")).isPositive();
			assertThat(gauge(one, "tiercache.size", "tier", "hot")).isEqualTo(1);
			assertThat(gauge(two, "tiercache.size", "tier", "main")).isEqualTo(1);
			cache(second).evict(key);
			assertThat(count(two, "tiercache.invalidations", "direction", "sent")).isPositive();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> count(one, "tiercache.invalidations", "direction", "received") > 0);
			assertThat(cache(first).get(key)).isNull();
			assertThat(one.get("tiercache.members").tag("mode", "peers").gauge().value()).isEqualTo(2);
		}));
	}

	@Test
	void peersMetersCountLeaseWaitsAcrossNodes() {
		peer(1).run((first) -> peer(2).run((second) -> {
			awaitMembers(2, first, second);
			Object key = keyOwnedBy(first, "node-2");
			CountDownLatch loading = new CountDownLatch(1);
			CompletableFuture<String> slow = new CompletableFuture<>();
			CompletableFuture<Object> leader = CompletableFuture.supplyAsync(() -> cache(first).get(key, () -> {
				loading.countDown();
				return slow.get(10, TimeUnit.SECONDS);
			}));
			assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<Object> waiter = CompletableFuture
				.supplyAsync(() -> cache(second).get(key, () -> "loaded twice"));
			await().atMost(Duration.ofSeconds(10)).until(() -> count(registry(second), "tiercache.lease.waits") > 0);
			slow.complete("Dune");
			assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo("Dune");
			assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("Dune");
			assertThat(count(registry(first), "tiercache.loads", "result", "success")).isEqualTo(1);
			assertThat(count(registry(second), "tiercache.loads", "result", "success")).isZero();
		}));
	}

	@Test
	void peersMetersCountEntriesHandedToANewOwner() {
		peer(1).run((first) -> {
			TierCache books = cache(first);
			for (int i = 0; i < 100; i++) {
				books.get(i, () -> "book");
			}
			peer(2).run((second) -> {
				awaitMembers(2, first, second);
				await().atMost(Duration.ofSeconds(20))
					.until(() -> count(registry(second), "tiercache.handoff.entries") > 0);
				assertThat(gauge(registry(second), "tiercache.size", "tier", "main")).isPositive();
			});
		});
	}

	@Test
	void redisMetersCountRemoteAndHotHitsInvalidationsAndErrors() {
		try (TestRedis redis = TestRedis.start()) {
			ApplicationContextRunner node = this.contextRunner.withPropertyValues("tiercache.mode=redis",
					"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
					"spring.data.redis.timeout=500ms");
			node.run((first) -> node.run((second) -> {
				cache(first).put("dune", "Dune");
				assertThat(cache(second).get("dune").get()).isEqualTo("Dune");
				assertThat(cache(second).get("dune").get()).isEqualTo("Dune");
				MeterRegistry two = registry(second);
				assertThat(count(two, "tiercache.hits", "tier", "remote")).isEqualTo(1);
				assertThat(count(two, "tiercache.hits", "tier", "hot")).isEqualTo(1);
				cache(first).evict("dune");
				assertThat(count(registry(first), "tiercache.invalidations", "direction", "sent")).isPositive();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> count(two, "tiercache.invalidations", "direction", "received") > 0);
				assertThat(cache(second).get("dune")).isNull();
				FunctionTimer fetches = registry(second).get("tiercache.remote.fetch.duration")
					.tag("cache", "books")
					.functionTimer();
				assertThat(fetches.count()).isGreaterThanOrEqualTo(2);
				assertThat(fetches.totalTime(TimeUnit.NANOSECONDS)).isPositive();
				FunctionTimer writes = registry(first).get("tiercache.remote.write.duration")
					.tag("cache", "books")
					.functionTimer();
				assertThat(writes.count()).isEqualTo(2);
				assertThat(count(registry(first), "tiercache.rejected")).isZero();
				cache(first).put("not-serializable", new Object());
				assertThat(count(registry(first), "tiercache.rejected")).isEqualTo(1);
				redis.stop();
				assertThat(cache(second).get("after-the-outage", () -> "loaded locally")).isEqualTo("loaded locally");
				assertThat(count(two, "tiercache.redis.errors")).isPositive();
			}));
		}
	}

	private static void awaitMembers(int size, ApplicationContext... contexts) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> List.of(contexts)
				.stream()
				.allMatch((context) -> context.getBean(ClusterView.class).members().size() == size));
	}

	private static Object keyOwnedBy(ApplicationContext context, String member) {
		ClusterView view = context.getBean(ClusterView.class);
		for (int i = 0;; i++) {
			if (view.ownerOf("books", i).equals(member)) {
				return i;
			}
		}
	}

	private static TierCache cache(ApplicationContext context) {
		return context.getBean(TierCacheManager.class).getCache("books");
	}

	private static MeterRegistry registry(ApplicationContext context) {
		return context.getBean(MeterRegistry.class);
	}

	private static double count(MeterRegistry registry, String name, String... tags) {
		return meter(registry, name, tags).functionCounter().count();
	}

	private static double gauge(MeterRegistry registry, String name, String... tags) {
		return meter(registry, name, tags).gauge().value();
	}

	private static RequiredSearch meter(MeterRegistry registry, String name, String... tags) {
		return registry.get(name).tag("cache", "books").tags(tags);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
