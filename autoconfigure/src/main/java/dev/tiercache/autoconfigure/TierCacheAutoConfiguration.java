package dev.tiercache.autoconfigure;

import java.util.Map;
import java.util.TreeMap;

import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.stats.CacheStats;
import dev.tiercache.stats.StatsLogger;

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
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheAspectSupport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} for tiercache: when caching is enabled with {@code @EnableCaching}
 * and the application defines no {@link CacheManager} of its own, the application's cache
 * manager is a {@link TierCacheManager} configured from {@code tiercache.*}. It runs
 * before Spring Boot's own cache auto-configuration, which then backs off.
 *
 * @author tiercache
 */
@AutoConfiguration(before = CacheAutoConfiguration.class)
@ConditionalOnClass({ CacheManager.class, TierCacheManager.class })
@ConditionalOnBean(CacheAspectSupport.class)
@ConditionalOnMissingBean(value = CacheManager.class, name = "cacheResolver")
@ConditionalOnBooleanProperty(name = "tiercache.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TierCacheProperties.class)
public final class TierCacheAutoConfiguration {

	@Bean
	TierCacheManager cacheManager(TierCacheProperties properties,
			ObjectProvider<TierCacheManagerBuilderCustomizer> builderCustomizers,
			ObjectProvider<CacheManagerCustomizer<?>> cacheManagerCustomizers) {
		TierCacheManager.Builder builder = TierCacheManager.builder()
			.cacheDefaults(properties.defaultConfiguration())
			.dynamic(properties.isDynamic());
		properties.cacheConfigurations().forEach(builder::withCacheConfiguration);
		builderCustomizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		TierCacheManager cacheManager = builder.build();
		return new CacheManagerCustomizers(cacheManagerCustomizers.orderedStream().toList()).customize(cacheManager);
	}

	@Bean
	@ConditionalOnMissingBean
	TierCacheNode tierCacheNode(TierCacheProperties properties, Environment environment) {
		return new TierCacheNode(properties.getNodeName(), environment);
	}

	@Bean
	@ConditionalOnMissingBean
	ClusterView tierCacheClusterView(TierCacheNode node) {
		return ClusterView.local(node::name);
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
