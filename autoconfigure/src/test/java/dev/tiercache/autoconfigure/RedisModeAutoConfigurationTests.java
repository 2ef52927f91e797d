package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import dev.tiercache.TestRedis;
import dev.tiercache.TestRedisCluster;
import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.redis.RedisRemoteTier;
import dev.tiercache.remote.redis.RedisTierSettings;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis mode through Spring Boot: the application's own Redis configuration
 * ({@code spring.data.redis.*}), several application contexts sharing one real Redis.
 */
class RedisModeAutoConfigurationTests {

	private static TestRedis redis;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TierCacheAutoConfiguration.class,
				CacheAutoConfiguration.class))
		.withUserConfiguration(TestBooks.Configuration.class)
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
			TestBooks books = context.getBean(TestBooks.class);
			assertThat(books.find(1)).isEqualTo("book-1");
			assertThat(books.find(1)).isEqualTo("book-1");
			assertThat(books.loads()).isEqualTo(1);
		});
	}

	@Test
	void hotCopiesServeDuringAnOutageByDefaultAndDropWhenAsked() {
		node().run((context) -> assertThat(context.getBean(RedisRemoteTier.class).settings().onOutage())
			.isEqualTo(RedisTierSettings.OnOutage.SERVE_HOT));
		node().withPropertyValues("tiercache.redis.on-outage=drop-hot")
			.run((context) -> assertThat(context.getBean(RedisRemoteTier.class).settings().onOutage())
				.isEqualTo(RedisTierSettings.OnOutage.DROP_HOT));
	}

	/**
	 * Lettuce's reconnect back-off grows with an outage (up to 30 s by default), and
	 * until the application's connections are back no node hears invalidations: capped at
	 * retry-interval, so that a node is back within about a second of Redis.
	 */
	@Test
	void reconnectDelayIsCappedAtTheRetryInterval() {
		node().run((context) -> {
			Delay delay = context.getBean(ClientResources.class).reconnectDelay();
			assertThat(delay.createDelay(30)).isLessThanOrEqualTo(Duration.ofSeconds(1));
		});
		node().withPropertyValues("tiercache.redis.retry-interval=300ms").run((context) -> {
			Delay delay = context.getBean(ClientResources.class).reconnectDelay();
			assertThat(delay.createDelay(30)).isLessThanOrEqualTo(Duration.ofMillis(300));
		});
	}

	@Test
	void clientTrackingIsOffByDefaultAndOnWhenAsked() {
		node().run((context) -> assertThat(context.getBean(ClusterView.class).details()).containsEntry("clientTracking",
				"off"));
		node().withPropertyValues("tiercache.redis.client-tracking=auto")
			.run((context) -> await().atMost(Duration.ofSeconds(5))
				.until(() -> "active".equals(context.getBean(ClusterView.class).details().get("clientTracking"))));
	}

	@Test
	void threeApplicationsOfSixteenThreadsLoadEachMissingKeyOnce() {
		node().run((first) -> node().run((second) -> node().run((third) -> {
			assertThat(TestBooks.stampede(List.of(first, second, third))).isEqualTo(100);
		})));
	}

	@ParameterizedTest
	@ValueSource(strings = { "json", "kryo" })
	void theChosenCodecCarriesValuesBetweenApplications(String codec) {
		ApplicationContextRunner node = node().withPropertyValues("tiercache.serialization.codec=" + codec,
				"tiercache.serialization.compression=lz4", "tiercache.serialization.compression-threshold=64B",
				"tiercache.serialization.allowed-packages=dev.tiercache.autoconfigure");
		Shelf shelf = new Shelf(codec, List.of("Dune", "Emma", "Ulysses".repeat(20)));
		node.run((first) -> node.run((second) -> {
			first.getBean(TierCacheManager.class).getCache("books").put(codec, shelf);
			assertThat(second.getBean(TierCacheManager.class).getCache("books").get(codec, Shelf.class))
				.isEqualTo(shelf);
		}));
	}

	record Shelf(String name, List<String> titles) {
	}

	@Test
	void evictionInOneApplicationIsNeverFollowedByAStaleReadInAnother() {
		node().run((first) -> node().run((second) -> TestBooks.assertNoStaleReads(first, second)));
	}

	@Test
	void redisModeWithoutAConnectionFactoryFailsAtStartUp() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TierCacheAutoConfiguration.class, CacheAutoConfiguration.class))
			.withUserConfiguration(TestBooks.Configuration.class)
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
			.withUserConfiguration(TestBooks.CachingOnly.class)
			.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.withPropertyValues("tiercache.mode=redis")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("needs spring-data-redis on the class path"));
	}

	@Test
	void onARedisClusterLettuceRefreshesItsViewOfTheClusterPeriodically() {
		onTheCluster().run((context) -> {
			ClusterTopologyRefreshOptions refresh = topologyRefresh(context);
			assertThat(refresh.isPeriodicRefreshEnabled()).isTrue();
			assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(5));
			assertThat(refresh.getAdaptiveRefreshTriggers()).containsExactlyInAnyOrder(RefreshTrigger.values());
		});
	}

	@Test
	void onARedisClusterTheApplicationsRefreshSettingsWin() {
		onTheCluster()
			.withPropertyValues("spring.data.redis.lettuce.cluster.refresh.period=30s",
					"spring.data.redis.lettuce.cluster.refresh.dynamic-refresh-sources=false")
			.run((context) -> {
				ClusterTopologyRefreshOptions refresh = topologyRefresh(context);
				assertThat(refresh.getRefreshPeriod()).isEqualTo(Duration.ofSeconds(30));
				assertThat(refresh.useDynamicRefreshSources()).isFalse();
			});
	}

	private ApplicationContextRunner onTheCluster() {
		String nodes = TestRedisCluster.shared()
			.masterPorts()
			.stream()
			.map((port) -> "127.0.0.1:" + port)
			.collect(Collectors.joining(","));
		return this.contextRunner.withPropertyValues("spring.data.redis.cluster.nodes=" + nodes);
	}

	private static ClusterTopologyRefreshOptions topologyRefresh(ApplicationContext context) {
		LettuceConnectionFactory connectionFactory = context.getBean(LettuceConnectionFactory.class);
		assertThat(connectionFactory.getClusterConfiguration()).isNotNull();
		ClientOptions options = connectionFactory.getClientConfiguration().getClientOptions().orElseThrow();
		return ((ClusterClientOptions) options).getTopologyRefreshOptions();
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

	@Test
	void refreshAfterWithTimeToIdleFailsAtStartUp() {
		node().withPropertyValues("tiercache.redis.time-to-idle=true", "tiercache.defaults.refresh-after=5m")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tiercache.defaults.refresh-after")
				.hasMessageContaining("time-to-idle"));
		node().withPropertyValues("tiercache.redis.time-to-idle=true", "tiercache.caches.books.refresh-after=5m")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("Cache 'books' has refresh-after")
				.hasMessageContaining("time-to-idle"));
	}

}
