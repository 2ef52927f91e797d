package dev.tiercache.autoconfigure;

import dev.tiercache.autoconfigure.observation.ObservationTierCacheObserver;
import dev.tiercache.observation.TierCacheObserver;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Observations of loads, remote fetches and lease waits, when the application has
 * Micrometer's Observation API; they are reported to its {@link ObservationRegistry}
 * (Spring Boot's, when Actuator is present), or to none.
 *
 * @author tiercache
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(ObservationRegistry.class)
class ObservationConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TierCacheObserver tierCacheObserver(ObjectProvider<ObservationRegistry> registry) {
		return new ObservationTierCacheObserver(registry.getIfUnique(() -> ObservationRegistry.NOOP));
	}

}
