package dev.tiercache.autoconfigure.metrics;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheManager;
import dev.tiercache.autoconfigure.TierCacheAutoConfiguration;
import dev.tiercache.autoconfigure.TierCacheManagerBuilderCustomizer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Each meter moves when its event happens.
 */
class TierCacheMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				TierCacheAutoConfiguration.class, CacheAutoConfiguration.class, TierCacheMetricsAutoConfiguration.class,
				CacheMetricsAutoConfiguration.class))
		.withUserConfiguration(CachingConfiguration.class)
		.withPropertyValues("tiercache.cache-names=books", "tiercache.caches.small.maximum-size=2");

	@Test
	void standardCacheMetersCountGetsPutsEvictionsAndSize() {
		this.contextRunner.run((context) -> {
			TierCache books = cache(context, "books");
			books.put(1L, "Dune");
			books.get(1L);
			books.get(2L);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(meter(registry, "cache.gets", "books").tag("result", "hit").functionCounter().count())
				.isEqualTo(1);
			assertThat(meter(registry, "cache.gets", "books").tag("result", "miss").functionCounter().count())
				.isEqualTo(1);
			assertThat(meter(registry, "cache.puts", "books").functionCounter().count()).isEqualTo(1);
			assertThat(meter(registry, "cache.size", "books").gauge().value()).isEqualTo(1);
			assertThat(meter(registry, "cache.gets", "books").tag("cache.manager", "cacheManager").meters())
				.isNotEmpty();
			TierCache small = cache(context, "small");
			for (long i = 0; i < 20; i++) {
				small.put(i, "v");
			}
			small.getNativeCache().cleanUp();
			await().atMost(5, TimeUnit.SECONDS)
				.untilAsserted(() -> assertThat(meter(registry, "cache.evictions", "small").functionCounter().count())
					.isGreaterThanOrEqualTo(18));
		});
	}

	@Test
	void tierMetersCountHitsLoadsFailuresRemovalsAndLoadTime() {
		this.contextRunner.run((context) -> {
			TierCache books = cache(context, "books");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			books.get(1L, () -> "Dune");
			books.get(1L, () -> "never");
			assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> books.get(2L, () -> {
				throw new IllegalStateException("database down");
			}));
			books.evict(1L);
			assertThat(meter(registry, "tiercache.hits", "books").tag("tier", "main").functionCounter().count())
				.isEqualTo(1);
			assertThat(meter(registry, "tiercache.loads", "books").tag("result", "success").functionCounter().count())
				.isEqualTo(1);
			assertThat(meter(registry, "tiercache.loads", "books").tag("result", "failure").functionCounter().count())
				.isEqualTo(1);
			assertThat(meter(registry, "tiercache.removals", "books").functionCounter().count()).isEqualTo(1);
			assertThat(meter(registry, "tiercache.load.duration", "books").functionTimer().count()).isEqualTo(2);
			assertThat(
					meter(registry, "tiercache.load.duration", "books").functionTimer().totalTime(TimeUnit.NANOSECONDS))
				.isPositive();
			assertThat(meter(registry, "tiercache.size", "books").tag("tier", "main").gauge().value()).isZero();
			assertThat(registry.get("tiercache.members").tag("mode", "local").gauge().value()).isEqualTo(1);
		});
	}

	@Test
	void refreshesAreCountedBySuccessAndFailure() {
		AtomicLong clock = new AtomicLong();
		this.contextRunner
			.withBean(TierCacheManagerBuilderCustomizer.class, () -> (builder) -> builder.ticker(clock::get))
			.withPropertyValues("tiercache.caches.fresh.ttl=10m", "tiercache.caches.fresh.ttl-jitter=0",
					"tiercache.caches.fresh.refresh-after=5m")
			.run((context) -> {
				TierCache fresh = cache(context, "fresh");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				fresh.get(1L, () -> "Dune");
				fresh.get(2L, () -> "Emma");
				clock.addAndGet(Duration.ofMinutes(6).toNanos());
				fresh.get(1L, () -> "Dune, revised");
				fresh.get(2L, () -> {
					throw new IllegalStateException("database down");
				});
				await().atMost(5, TimeUnit.SECONDS).untilAsserted(() -> {
					assertThat(meter(registry, "tiercache.refreshes", "fresh").tag("result", "success")
						.functionCounter()
						.count()).isEqualTo(1);
					assertThat(meter(registry, "tiercache.refreshes", "fresh").tag("result", "failure")
						.functionCounter()
						.count()).isEqualTo(1);
				});
				assertThat(meter(registry, "tiercache.refreshes", "books").tag("result", "success")
					.functionCounter()
					.count()).isZero();
			});
	}

	@Test
	void deduplicatedLoadsAreCounted() {
		this.contextRunner.run((context) -> {
			TierCache books = cache(context, "books");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			CompletableFuture<String> slow = new CompletableFuture<>();
			CompletableFuture<String> leader = books.retrieve(1L, () -> slow);
			CompletableFuture<String> waiter = books.retrieve(1L, () -> CompletableFuture.completedFuture("never"));
			slow.complete("Dune");
			assertThat(leader.get(5, TimeUnit.SECONDS)).isEqualTo("Dune");
			assertThat(waiter.get(5, TimeUnit.SECONDS)).isEqualTo("Dune");
			assertThat(meter(registry, "tiercache.loads.deduplicated", "books").functionCounter().count()).isEqualTo(1);
		});
	}

	@Test
	void cachesCreatedAfterStartUpAreBoundWhenCreated() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("cache.gets").tag("cache", "late").meters()).isEmpty();
			TierCache late = cache(context, "late");
			late.get("k");
			assertThat(meter(registry, "cache.gets", "late").tag("result", "miss").functionCounter().count())
				.isEqualTo(1);
		});
	}

	@Test
	void remoteTierMetersAreRegisteredForEveryCache() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			for (String name : new String[] { "tiercache.lease.waits", "tiercache.server.requests",
					"tiercache.peer.errors", "tiercache.redis.errors", "tiercache.handoff.entries",
					"tiercache.rejected" }) {
				assertThat(meter(registry, name, "books").functionCounter().count()).as(name).isZero();
			}
			assertThat(meter(registry, "tiercache.invalidations", "books").tag("direction", "sent")
				.functionCounter()
				.count()).isZero();
			for (String name : new String[] { "tiercache.remote.fetch.duration", "tiercache.remote.write.duration" }) {
				assertThat(meter(registry, name, "books").functionTimer().count()).as(name).isZero();
			}
		});
	}

	@Test
	void weightGaugeInBytesOnlyForCachesBoundedByWeight() {
		this.contextRunner.withPropertyValues("tiercache.caches.heavy.maximum-weight=1MB").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			cache(context, "heavy").put(1L, "x".repeat(1000));
			Gauge main = meter(registry, "tiercache.weight", "heavy").tag("tier", "main").gauge();
			assertThat(main.getId().getBaseUnit()).isEqualTo("bytes");
			assertThat(main.value()).isGreaterThan(2000);
			assertThat(registry.find("tiercache.weight").tag("cache", "books").gauge()).isNull();
		});
	}

	private static TierCache cache(AssertableApplicationContext context, String name) {
		return context.getBean(TierCacheManager.class).getCache(name);
	}

	private static RequiredSearch meter(MeterRegistry registry, String name, String cache) {
		return registry.get(name).tag("cache", cache).tag("name", cache);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

}
