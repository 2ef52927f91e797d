package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.redis.RedisRemoteTier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis mode through Spring Boot: the application's own Redis configuration
 * ({@code spring.data.redis.*}), several application contexts sharing one real Redis.
 */
class RedisModeAutoConfigurationTests {

	private static TestRedis redis;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TierCacheAutoConfiguration.class,
				CacheAutoConfiguration.class))
		.withUserConfiguration(BookConfiguration.class)
		.withPropertyValues("tiercache.mode=redis", "tiercache.cache-names=books", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.timeout=500ms");

	@BeforeAll
	static void startRedis() {
		redis = TestRedis.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	private ApplicationContextRunner node() {
		return this.contextRunner.withPropertyValues("spring.data.redis.port=" + redis.port());
	}

	@Test
	void redisModeUsesTheApplicationsRedisConnection() {
		node().run((context) -> {
			TierCacheManager manager = context.getBean(TierCacheManager.class);
			assertThat(manager.getRemoteTier()).isInstanceOf(RedisRemoteTier.class);
			assertThat(context.getBean(ClusterView.class).mode()).isEqualTo("redis");
			BookService books = context.getBean(BookService.class);
			assertThat(books.find(1)).isEqualTo("book-1");
			assertThat(books.find(1)).isEqualTo("book-1");
			assertThat(books.loads()).isEqualTo(1);
		});
	}

	@Test
	void threeApplicationsOfSixteenThreadsLoadEachMissingKeyOnce() {
		BookService.LOADS.set(0);
		node().run((first) -> node().run((second) -> node().run((third) -> {
			ExecutorService threads = Executors.newFixedThreadPool(48);
			try {
				CountDownLatch start = new CountDownLatch(1);
				List<Future<?>> callers = new ArrayList<>();
				for (AssertableApplicationContext context : List.of(first, second, third)) {
					BookService books = context.getBean(BookService.class);
					for (int thread = 0; thread < 16; thread++) {
						callers.add(threads.submit(() -> {
							start.await();
							for (long id = 1000; id < 1100; id++) {
								assertThat(books.find(id)).isEqualTo("book-" + id);
							}
							return null;
						}));
					}
				}
				start.countDown();
				for (Future<?> caller : callers) {
					caller.get(120, TimeUnit.SECONDS);
				}
			}
			finally {
				threads.shutdownNow();
			}
			assertThat(BookService.LOADS).hasValue(100);
		})));
	}

	@Test
	void evictionInOneApplicationIsNeverFollowedByAStaleReadInAnother() {
		node().run((first) -> node().run((second) -> {
			BookService writer = first.getBean(BookService.class);
			BookService reader = second.getBean(BookService.class);
			for (int round = 0; round < 20; round++) {
				BookService.TITLES.put(7L, "title-" + round);
				writer.rename(7L);
				assertThat(reader.title(7L)).isEqualTo("title-" + round);
				assertThat(reader.title(7L)).isEqualTo("title-" + round);
			}
		}));
	}

	@Test
	void redisModeWithoutAConnectionFactoryFailsAtStartUp() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TierCacheAutoConfiguration.class, CacheAutoConfiguration.class))
			.withUserConfiguration(BookConfiguration.class)
			.withPropertyValues("tiercache.mode=redis")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("needs a RedisConnectionFactory")
				.hasMessageContaining("spring-boot-starter-data-redis"));
	}

	@Test
	void redisModeWithoutSpringDataRedisFailsAtStartUp() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TierCacheAutoConfiguration.class, CacheAutoConfiguration.class))
			.withUserConfiguration(CachingOnlyConfiguration.class)
			.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.withPropertyValues("tiercache.mode=redis")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("needs spring-data-redis on the classpath"));
	}

	@Test
	void invalidRedisSettingFailsAtStartUpNamingTheProperty() {
		node().withPropertyValues("tiercache.redis.lease-timeout=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.redis.lease-timeout")
				.hasMessageContaining("must be positive"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@Import(BookService.class)
	static class BookConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingOnlyConfiguration {

	}

	static class BookService {

		static final AtomicInteger LOADS = new AtomicInteger();

		static final java.util.Map<Long, String> TITLES = new java.util.concurrent.ConcurrentHashMap<>();

		private final AtomicInteger loads = new AtomicInteger();

		@Cacheable(cacheNames = "books", sync = true)
		public String find(long id) throws InterruptedException {
			LOADS.incrementAndGet();
			this.loads.incrementAndGet();
			Thread.sleep(20);
			return "book-" + id;
		}

		@Cacheable(cacheNames = "titles", sync = true)
		public String title(long id) {
			return TITLES.get(id);
		}

		@CacheEvict(cacheNames = "titles")
		public void rename(long id) {
		}

		public int loads() {
			return this.loads.get();
		}

	}

}
