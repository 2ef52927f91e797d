package dev.tiercache.starter;

import dev.tiercache.TierCacheManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What an application gets from the starter alone: local mode, and for the remote modes a
 * start-up report naming the dependency to add. The starter's own test class path is the
 * application's, so these fail if the starter brings an engine again.
 */
@ExtendWith(OutputCaptureExtension.class)
class StarterDependenciesTests {

	@Test
	void theStarterBringsNeitherJGroupsNorSpringDataRedis() {
		ClassLoader classLoader = getClass().getClassLoader();
		assertThat(ClassUtils.isPresent("org.jgroups.JChannel", classLoader)).isFalse();
		assertThat(
				ClassUtils.isPresent("org.springframework.data.redis.connection.RedisConnectionFactory", classLoader))
			.isFalse();
		assertThat(ClassUtils.isPresent("com.github.benmanes.caffeine.cache.Caffeine", classLoader)).isTrue();
	}

	@Test
	void anApplicationWithTheStarterAloneCachesLocally() {
		try (ConfigurableApplicationContext context = application().run()) {
			assertThat(context.getBean(CacheManager.class)).isInstanceOf(TierCacheManager.class);
		}
	}

	@Test
	void peersModeWithoutJGroupsReportsTheDependencyToAdd(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application().run("--tiercache.mode=peers"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("tiercache.mode is 'peers', which is built on JGroups")
			.contains("Add the dependency org.jgroups:jgroups:");
	}

	@Test
	void redisModeWithoutTheRedisStarterReportsTheDependencyToAdd(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application().run("--tiercache.mode=redis"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Add the dependency org.springframework.boot:spring-boot-starter-data-redis");
	}

	@Test
	void aMisspeltPropertyIsReportedWithTheNearestValidName(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application().run("--tiercache.caches.books.tll=1h"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: tiercache.caches.books.tll")
			.contains("Did you mean: tiercache.caches.books.ttl");
	}

	private static SpringApplication application() {
		SpringApplication application = new SpringApplication(StarterApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		return application;
	}

	@SpringBootApplication
	@EnableCaching
	static class StarterApplication {

	}

}
