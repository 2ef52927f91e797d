package dev.tiercache.autoconfigure.metrics;

import java.util.Map;

import dev.tiercache.TierCacheManager;
import dev.tiercache.autoconfigure.TierCacheAutoConfiguration;
import dev.tiercache.remote.ClusterView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.cache.autoconfigure.metrics.CacheMetricsAutoConfiguration;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;
import org.springframework.boot.cache.metrics.CacheMetricsRegistrar;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} for tiercache metrics. Spring Boot's cache metrics bind the caches
 * that exist at start-up through {@link TierCacheMeterBinderProvider}; caches created
 * later (dynamic cache names) are bound when they are created.
 *
 * @author tiercache
 */
@AutoConfiguration(after = TierCacheAutoConfiguration.class, before = CacheMetricsAutoConfiguration.class)
@ConditionalOnClass({ MeterRegistry.class, CacheMeterBinderProvider.class })
@ConditionalOnBean(TierCacheManager.class)
public final class TierCacheMetricsAutoConfiguration {

	private static final String CACHE_MANAGER_SUFFIX = "cacheManager";

	@Bean
	TierCacheMeterBinderProvider tierCacheMeterBinderProvider() {
		return new TierCacheMeterBinderProvider();
	}

	@Bean
	MeterBinder tierCacheMembersMetrics(ClusterView clusterView) {
		return (registry) -> Gauge.builder("tiercache.members", clusterView, (view) -> view.members().size())
			.tag("mode", clusterView.mode())
			.description("Members of the cluster as this node sees it (1 in local mode)")
			.register(registry);
	}

	@Bean
	SmartInitializingSingleton tierCacheLateCacheMetrics(ObjectProvider<CacheMetricsRegistrar> registrar,
			Map<String, TierCacheManager> cacheManagers) {
		return () -> registrar.ifAvailable((metrics) -> cacheManagers.forEach((beanName, cacheManager) -> {
			Tag managerTag = Tag.of("cache.manager", managerName(beanName));
			cacheManager.addCreationListener((cache) -> metrics.bindCacheToRegistry(cache, managerTag));
		}));
	}

	/**
	 * Name a cache manager as Spring Boot does for the caches it binds itself.
	 */
	private static String managerName(String beanName) {
		if (beanName.length() > CACHE_MANAGER_SUFFIX.length()
				&& beanName.toLowerCase().endsWith(CACHE_MANAGER_SUFFIX.toLowerCase())) {
			return beanName.substring(0, beanName.length() - CACHE_MANAGER_SUFFIX.length());
		}
		return beanName;
	}

}
