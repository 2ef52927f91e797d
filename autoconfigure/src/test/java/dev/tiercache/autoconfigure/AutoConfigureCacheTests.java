package dev.tiercache.autoconfigure;

import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.RemoteTier;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.cache.test.autoconfigure.AutoConfigureCache;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.support.NoOpCacheManager;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test of an application in peers mode with Spring Boot's {@code @AutoConfigureCache}
 * gets Spring's no-op cache manager, as with every Spring cache provider, and joins no
 * cluster.
 */
@SpringBootTest(properties = { "tiercache.mode=peers", "spring.application.name=auto-configure-cache" })
@AutoConfigureCache
class AutoConfigureCacheTests {

	@Autowired
	private ApplicationContext context;

	@Test
	void autoConfigureCacheTurnsTierCacheOff() {
		assertThat(this.context.getBean(CacheManager.class)).isInstanceOf(NoOpCacheManager.class);
		assertThat(this.context.getBeansOfType(TierCacheManager.class)).isEmpty();
		assertThat(this.context.getBeansOfType(RemoteTier.class)).isEmpty();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@EnableCaching
	static class PeersApplication {

	}

}
