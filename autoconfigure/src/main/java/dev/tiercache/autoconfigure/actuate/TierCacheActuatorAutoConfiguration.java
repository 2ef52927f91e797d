package dev.tiercache.autoconfigure.actuate;

import dev.tiercache.TierCacheManager;
import dev.tiercache.autoconfigure.TierCacheAutoConfiguration;
import dev.tiercache.remote.ClusterView;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} of the {@code tiercache} actuator endpoint and health contributor.
 *
 * @author tiercache
 */
@AutoConfiguration(after = TierCacheAutoConfiguration.class)
@ConditionalOnBean(TierCacheManager.class)
public final class TierCacheActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
	@ConditionalOnAvailableEndpoint(TierCacheEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TierCacheEndpoint tierCacheEndpoint(TierCacheManager cacheManager, ClusterView clusterView) {
			return new TierCacheEndpoint(cacheManager, clusterView);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
	@ConditionalOnEnabledHealthIndicator("tiercache")
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "tiercacheHealthIndicator")
		TierCacheHealthIndicator tiercacheHealthIndicator(TierCacheManager cacheManager, ClusterView clusterView) {
			return new TierCacheHealthIndicator(cacheManager, clusterView);
		}

	}

}
