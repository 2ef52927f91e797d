package dev.tiercache.autoconfigure;

import dev.tiercache.TierCacheManager;

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
	@ConditionalOnProperty(name = "tiercache.single-flight", havingValue = "always")
	static SingleFlightOperationSourcePostProcessor tierCacheSingleFlightOperationSourcePostProcessor() {
		return new SingleFlightOperationSourcePostProcessor();
	}

}
