package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.flight.SingleFlightCacheOperationSource;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.stats.StatsLogger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.interceptor.CacheOperationSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(OutputCaptureExtension.class)
class TierCacheAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TierCacheAutoConfiguration.class, CacheAutoConfiguration.class));

	@Test
	void cachingEnabledGivesATierCacheManager() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(CacheManager.class)
				.getBean(CacheManager.class)
				.isInstanceOf(TierCacheManager.class));
	}

	@Test
	void withoutEnableCachingNothingIsConfigured() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(CacheManager.class));
	}

	@Test
	void backsOffForTheApplicationsOwnCacheManager() {
		this.contextRunner.withUserConfiguration(CustomCacheManagerConfiguration.class)
			.run((context) -> assertThat(context).getBean(CacheManager.class)
				.isInstanceOf(ConcurrentMapCacheManager.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.enabled=false")
			.run((context) -> assertThat(context).getBean(CacheManager.class).isNotInstanceOf(TierCacheManager.class));
	}

	@Test
	void propertiesBindToTheCaches() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.defaults.ttl=5m", "tiercache.defaults.maximum-size=500",
					"tiercache.caches.books.ttl=1h", "tiercache.caches.books.ttl-jitter=0.1",
					"tiercache.caches.books.null-ttl=10s", "tiercache.caches.books.allow-null-values=false",
					"tiercache.caches.books.maximum-weight=64MB", "tiercache.caches.books.hot-ratio=0.25",
					"tiercache.caches.books.hot-ttl=5s", "tiercache.caches.books.refresh-after=30m",
					"tiercache.cache-names=authors")
			.run((context) -> {
				TierCacheManager manager = context.getBean(TierCacheManager.class);
				assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("books", "authors");
				TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig()
					.withTtl(Duration.ofMinutes(5))
					.withMaximumSize(500);
				assertThat(manager.getCache("authors").getConfiguration()).isEqualTo(defaults);
				assertThat(manager.getCache("books").getConfiguration()).isEqualTo(defaults.withTtl(Duration.ofHours(1))
					.withTtlJitter(0.1)
					.withNullTtl(Duration.ofSeconds(10))
					.withAllowNullValues(false)
					.withMaximumWeight(64L * 1024 * 1024)
					.withHotRatio(0.25)
					.withHotTtl(Duration.ofSeconds(5))
					.withRefreshAfter(Duration.ofMinutes(30)));
				assertThat(manager.getCache("dynamic").getConfiguration()).isEqualTo(defaults);
			});
	}

	@Test
	void propertyDefaultsAreTheCoreDefaults() {
		assertThat(new TierCacheProperties().defaultConfiguration())
			.isEqualTo(TierCacheConfiguration.defaultCacheConfig());
	}

	@Test
	void dynamicFalseRejectsUnknownCachesWithTheConfiguredNames() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.dynamic=false", "tiercache.cache-names=books")
			.run((context) -> {
				TierCacheManager manager = context.getBean(TierCacheManager.class);
				assertThat(manager.getCache("books")).isNotNull();
				org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
					.isThrownBy(() -> manager.getCache("boks"))
					.withMessageContaining("[books]");
			});
	}

	@Test
	void negativeTtlFailsAtStartUpNamingTheProperty() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.caches.books.ttl=-5s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("tiercache.caches.books.ttl")
				.hasMessageContaining("use 0 for entries that never expire"));
	}

	@Test
	void refreshAfterNotShorterThanTtlFailsAtStartUpNamingTheProperty() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.caches.books.refresh-after=10m")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("tiercache.caches.books.refresh-after")
				.hasMessageContaining("must be shorter than ttl (PT10M)"));
		// A ttl that a cache sets below the refresh-after it inherits is the culprit.
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.defaults.refresh-after=5m", "tiercache.caches.books.ttl=1m")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.caches.books.ttl")
				.hasMessageContaining("must be shorter than ttl (PT1M)"));
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.defaults.ttl=0", "tiercache.defaults.refresh-after=5m")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.defaults.refresh-after")
				.hasMessageContaining("needs entries that expire"));
	}

	@Test
	void singleFlightAlwaysRefreshesPlainCacheableMethodsAhead() {
		this.contextRunner
			.withUserConfiguration(CachingConfiguration.class, VersionedService.class, ClockConfiguration.class)
			.withPropertyValues("tiercache.single-flight=always", "tiercache.caches.versions.ttl=10m",
					"tiercache.caches.versions.ttl-jitter=0", "tiercache.caches.versions.refresh-after=5m")
			.run((context) -> {
				VersionedService service = context.getBean(VersionedService.class);
				AtomicLong clock = context.getBean(ClockConfiguration.class).nanos;
				assertThat(service.find(1)).isEqualTo("v1");
				clock.addAndGet(Duration.ofMinutes(6).toNanos());
				// The caller gets the current value; the method runs again behind it.
				assertThat(service.find(1)).isEqualTo("v1");
				await().atMost(Duration.ofSeconds(10)).until(() -> service.find(1).equals("v2"));
				assertThat(service.calls()).isEqualTo(2);
			});
	}

	@Test
	void withoutSingleFlightAlwaysPlainCacheableMethodsAreNotRefreshed() {
		// Spring reads them with get(key), which hands over no loader: the entry lives
		// until its ttl as before.
		this.contextRunner
			.withUserConfiguration(CachingConfiguration.class, VersionedService.class, ClockConfiguration.class)
			.withPropertyValues("tiercache.caches.versions.ttl=10m", "tiercache.caches.versions.ttl-jitter=0",
					"tiercache.caches.versions.refresh-after=5m")
			.run((context) -> {
				VersionedService service = context.getBean(VersionedService.class);
				AtomicLong clock = context.getBean(ClockConfiguration.class).nanos;
				assertThat(service.find(1)).isEqualTo("v1");
				clock.addAndGet(Duration.ofMinutes(6).toNanos());
				assertThat(service.find(1)).isEqualTo("v1");
				assertThat(service.calls()).isEqualTo(1);
				clock.addAndGet(Duration.ofMinutes(4).toNanos());
				assertThat(service.find(1)).isEqualTo("v2");
			});
	}

	@Test
	void jitterOutsideZeroToOneFailsAtStartUp() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.defaults.ttl-jitter=1.5")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.defaults.ttl-jitter")
				.hasMessageContaining("fraction"));
	}

	@Test
	void unknownCacheSettingFailsAtStartUp() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.caches.books.tll=1h")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.caches.books.tll"));
	}

	@Test
	void aMisspeltSettingIsReportedWithTheNearestValidName() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.caches.books.tll=1h")
			.run((context) -> {
				FailureAnalysis analysis = new UnknownPropertyFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("Property: tiercache.caches.books.tll")
					.contains("Did you mean: tiercache.caches.books.ttl");
			});
	}

	@Test
	void unavailableModeFailsAtStartUp() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.mode=gossip")
			.run((context) -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining("tiercache.mode"));
	}

	@Test
	void dynamicFalseWithoutCachesFailsAtStartUp() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.dynamic=false")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.caches"));
	}

	@Test
	void statsLogIsOffByDefault() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.run((context) -> assertThat(context).doesNotHaveBean(StatsLogger.class));
	}

	@Test
	void statsLogWritesALinePerCacheEveryInterval(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.stats.log-interval=100ms", "tiercache.cache-names=books")
			.run((context) -> {
				context.getBean(TierCacheManager.class).getCache("books").get("missing");
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(output.getOut()).contains("books - qpm: ")
						.contains("hit_ratio: ")
						.contains("deduped: "));
			});
	}

	@Test
	void nodeNameIsConfigurableAndDefaultsToHostAndPort() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("server.port=8123")
			.run((context) -> assertThat(context.getBean(TierCacheNode.class).name()).endsWith(":8123"));
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.withPropertyValues("tiercache.node-name=web-1")
			.run((context) -> assertThat(context.getBean(ClusterView.class).localMember()).isEqualTo("web-1"));
	}

	@Test
	void customizersApplyInOrder() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class, CustomizerConfiguration.class)
			.run((context) -> {
				TierCacheManager manager = context.getBean(TierCacheManager.class);
				assertThat(manager.getCache("fromBuilder").getConfiguration().getMaximumSize()).isEqualTo(7);
				assertThat(context.getBean(CustomizerConfiguration.class).customized).hasValue(1);
			});
	}

	@Test
	void singleFlightSyncOnlyKeepsSpringsOperationSource() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class)
			.run((context) -> assertThat(context.getBean(CacheOperationSource.class))
				.isNotInstanceOf(SingleFlightCacheOperationSource.class));
	}

	@Test
	void singleFlightAlwaysMakesPlainCacheableMethodsLoadOnce() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class, SlowService.class)
			.withPropertyValues("tiercache.single-flight=always")
			.run((context) -> {
				assertThat(context.getBean(CacheOperationSource.class))
					.isInstanceOf(SingleFlightCacheOperationSource.class);
				SlowService service = context.getBean(SlowService.class);
				assertThat(concurrentCalls(service)).isEqualTo(1);
			});
	}

	@Test
	void withoutSingleFlightAlwaysPlainCacheableMethodsStampede() {
		this.contextRunner.withUserConfiguration(CachingConfiguration.class, SlowService.class).run((context) -> {
			SlowService service = context.getBean(SlowService.class);
			assertThat(concurrentCalls(service)).isGreaterThan(1);
		});
	}

	private static int concurrentCalls(SlowService service) throws Exception {
		int callers = 8;
		ExecutorService threads = Executors.newFixedThreadPool(callers);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<String>> results = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				results.add(threads.submit(() -> {
					start.await();
					return service.find(1);
				}));
			}
			start.countDown();
			for (Future<String> result : results) {
				assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("value-1");
			}
			return service.calls();
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@Import(CachingConfiguration.class)
	static class CustomCacheManagerConfiguration {

		@Bean
		CacheManager customCacheManager() {
			return new ConcurrentMapCacheManager();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final AtomicInteger customized = new AtomicInteger();

		@Bean
		TierCacheManagerBuilderCustomizer builderCustomizer() {
			return (builder) -> builder.withCacheConfiguration("fromBuilder",
					TierCacheConfiguration.defaultCacheConfig().withMaximumSize(7));
		}

		@Bean
		CacheManagerCustomizer<TierCacheManager> cacheManagerCustomizer() {
			return (manager) -> this.customized.incrementAndGet();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ClockConfiguration {

		final AtomicLong nanos = new AtomicLong();

		@Bean
		TierCacheManagerBuilderCustomizer fakeClock() {
			return (builder) -> builder.ticker(this.nanos::get);
		}

	}

	static class VersionedService {

		private final AtomicInteger calls = new AtomicInteger();

		@Cacheable("versions")
		public String find(long id) {
			return "v" + this.calls.incrementAndGet();
		}

		int calls() {
			return this.calls.get();
		}

	}

	static class SlowService {

		private final AtomicInteger calls = new AtomicInteger();

		private final CountDownLatch twoCallers = new CountDownLatch(2);

		/**
		 * A plain {@code @Cacheable} (no {@code sync}) whose first call waits (up to a
		 * second) for a second caller to run it too, as happens without single-flight.
		 */
		@Cacheable("slow")
		public String find(long id) throws InterruptedException {
			this.calls.incrementAndGet();
			this.twoCallers.countDown();
			this.twoCallers.await(1, TimeUnit.SECONDS);
			return "value-" + id;
		}

		public int calls() {
			return this.calls.get();
		}

	}

}
