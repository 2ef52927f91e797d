package dev.tiercache;

import java.util.Arrays;
import java.util.stream.Collectors;

import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.interceptor.KeyGenerator;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A small application context with Spring's annotation-driven caching, as the cache
 * annotation tests need it: {@code @EnableCaching}, a given cache manager and the
 * annotated beans.
 */
final class CachingContext {

	private CachingContext() {
	}

	/**
	 * Start a context whose caching proxies use {@code manager}, with the beans
	 * {@code components}. The manager is registered as an instance, so closing the
	 * context does not close it: the mode's fixture owns what it holds (a peers member
	 * outlives a test).
	 */
	static AnnotationConfigApplicationContext start(CacheManager manager, Class<?>... components) {
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
		context.getBeanFactory().registerSingleton("cacheManager", manager);
		context.register(Caching.class);
		context.register(components);
		context.refresh();
		return context;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class Caching {

		/**
		 * Name the key after the method and its arguments, as
		 * {@code "method:argument:argument"}.
		 */
		@Bean
		KeyGenerator joiningKeyGenerator() {
			return (target, method, arguments) -> method.getName() + ":"
					+ Arrays.stream(arguments).map(String::valueOf).collect(Collectors.joining(":"));
		}

	}

}
