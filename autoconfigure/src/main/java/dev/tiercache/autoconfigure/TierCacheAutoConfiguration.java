package dev.tiercache.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.tiercache.TierCacheManager;
import dev.tiercache.observation.TierCacheObserver;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.StatsLogger;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.Assert;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} for tiercache: when caching is enabled with {@code @EnableCaching}
 * and the application defines no {@link CacheManager} of its own, the application's cache
 * manager is a {@link TierCacheManager} configured from {@code tiercache.*}. It runs
 * before Spring Boot's own cache auto-configuration, which then backs off.
 * <p>
 * As one of Spring's cache providers it steps aside when {@code spring.cache.type} is set
 * (to {@code none} by {@code @AutoConfigureCache}, or to one of Spring Boot's own
 * providers), and creates the caches named by {@code spring.cache.cache-names} at
 * start-up. Each remote mode is configured only when its library is present; choosing a
 * mode whose library is missing fails with a {@link MissingLibraryException}.
 *
 * @author tiercache
 */
@AutoConfiguration(before = CacheAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ CacheManager.class, TierCacheManager.class })
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnMissingBean(value = CacheManager.class, name = "cacheResolver")
@ConditionalOnBooleanProperty(name = "tiercache.enabled", matchIfMissing = true)
@Conditional(OnAutomaticCacheTypeCondition.class)
@EnableConfigurationProperties(TierCacheProperties.class)
@Import({ PeersModeConfiguration.class, RedisModeConfiguration.class, ObservationConfiguration.class })
public final class TierCacheAutoConfiguration {

	@Bean
	TierCacheManager cacheManager(TierCacheProperties properties, ObjectProvider<RemoteTier> remoteTier,
			ObjectProvider<TierCacheManagerBuilderCustomizer> builderCustomizers,
			ObjectProvider<CacheManagerCustomizer<?>> cacheManagerCustomizers, ResourceLoader resourceLoader,
			Environment environment, ObjectProvider<TierCacheObserver> observer,
			ObjectProvider<TaskDecorator> taskDecorator) {
		Libraries.checkMode(properties.getMode(), resourceLoader.getClassLoader());
		TierCacheManager.Builder builder = TierCacheManager.builder()
			.cacheDefaults(properties.defaultConfiguration())
			.dynamic(properties.isDynamic())
			.observer(observer.getIfUnique(TierCacheObserver::none));
		RemoteThreads.configure(builder, properties, environment, taskDecorator, resourceLoader.getClassLoader());
		checkRefreshWithTimeToIdle(properties);
		RemoteTier remote = remoteTier.getIfAvailable();
		if (properties.getMode() != TierCacheProperties.Mode.LOCAL) {
			Assert.state(remote != null, () -> noRemoteTier(properties.getMode()));
			builder.remoteTier(remote);
		}
		properties.cacheConfigurations(springCacheNames(environment)).forEach(builder::withCacheConfiguration);
		builderCustomizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		TierCacheManager cacheManager = builder.build();
		return new CacheManagerCustomizers(cacheManagerCustomizers.orderedStream().toList()).customize(cacheManager);
	}

	@Bean
	@ConditionalOnMissingBean
	TierCacheNode tierCacheNode(TierCacheProperties properties, Environment environment) {
		return new TierCacheNode(properties.getNodeName(), environment);
	}

	/**
	 * Refuse {@code refresh-after} in the defaults with Redis time-to-idle, where no
	 * entry would ever be due; a cache of its own with both is refused by the Redis tier
	 * when it is created.
	 */
	private static void checkRefreshWithTimeToIdle(TierCacheProperties properties) {
		Duration refreshAfter = properties.defaultConfiguration().getRefreshAfter();
		if (properties.getMode() == TierCacheProperties.Mode.REDIS && properties.getRedis().isTimeToIdle()
				&& !refreshAfter.isZero()) {
			throw new InvalidConfigurationPropertyValueException("tiercache.defaults.refresh-after", refreshAfter,
					"refresh-after cannot work with tiercache.redis.time-to-idle=true: every read restarts an "
							+ "entry's time to live in Redis, so its age is unknown. Turn one of the two off");
		}
	}

	private static String noRemoteTier(TierCacheProperties.Mode mode) {
		String name = mode.name().toLowerCase(Locale.ROOT);
		if (AotDetector.useGeneratedArtifacts()) {
			return "tiercache.mode=" + name + ", but this application was processed ahead of time (Spring AOT) "
					+ "with another tiercache.mode, and which mode's beans exist is decided at build time: process it "
					+ "with tiercache.mode=" + name + " (see 'Ahead of time and native images' in tiercache's "
					+ "docs/configuration.md)";
		}
		return "tiercache.mode=" + name + " has no remote tier; check its configuration";
	}

	/**
	 * The caches that {@code spring.cache.cache-names} asks every Spring cache provider
	 * to create at start-up. As with Spring Boot's Redis provider, they are created in
	 * addition to tiercache's own; whether other names are created on first use stays
	 * {@code tiercache.dynamic}'s decision.
	 */
	private static List<String> springCacheNames(Environment environment) {
		return Binder.get(environment)
			.bind("spring.cache.cache-names", Bindable.listOf(String.class))
			.orElse(List.of());
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterView tierCacheClusterView(TierCacheNode node, ObjectProvider<RemoteTier> remoteTier) {
		RemoteTier remote = remoteTier.getIfAvailable();
		return (remote != null) ? remote.view() : ClusterView.local(node::name);
	}

	@Bean(initMethod = "start", destroyMethod = "close")
	@Conditional(OnStatsLogCondition.class)
	StatsLogger tierCacheStatsLogger(TierCacheManager cacheManager, TierCacheProperties properties) {
		return new StatsLogger(() -> statsByCache(cacheManager), properties.getStats().getLogInterval());
	}

	private static Map<String, CacheStats> statsByCache(TierCacheManager cacheManager) {
		Map<String, CacheStats> stats = new TreeMap<>();
		for (String name : cacheManager.getCacheNames()) {
			stats.put(name, cacheManager.getCache(name).getStats());
		}
		return stats;
	}

	@Bean
	@ConditionalOnProperty(name = "tiercache.single-flight", havingValue = "always")
	static SingleFlightOperationSourcePostProcessor tierCacheSingleFlightOperationSourcePostProcessor() {
		return new SingleFlightOperationSourcePostProcessor();
	}

}
