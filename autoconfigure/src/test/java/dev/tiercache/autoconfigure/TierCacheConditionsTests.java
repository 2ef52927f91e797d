package dev.tiercache.autoconfigure;

import java.time.Duration;

import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.remote.RemoteTier;
import org.jgroups.Version;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.CacheManager;
import org.springframework.cache.concurrent.ConcurrentMapCacheManager;
import org.springframework.cache.support.NoOpCacheManager;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When tiercache provides the cache manager: Spring's {@code spring.cache.*} conventions,
 * and each mode's library on the class path or not.
 */
class TierCacheConditionsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TierCacheAutoConfiguration.class, CacheAutoConfiguration.class))
		.withUserConfiguration(TestBooks.CachingOnly.class)
		.withPropertyValues("spring.application.name=conditions-tests");

	@Test
	void springCacheTypeNoneTurnsTierCacheOff() {
		this.contextRunner.withPropertyValues("spring.cache.type=none")
			.run((context) -> assertThat(context).getBean(CacheManager.class).isInstanceOf(NoOpCacheManager.class));
	}

	@Test
	void springCacheTypeNoneKeepsPeersModeOutOfTheCluster() {
		this.contextRunner.withPropertyValues("spring.cache.type=none", "tiercache.mode=peers")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RemoteTier.class)
				.doesNotHaveBean(TierCacheManager.class));
	}

	@Test
	void anotherSpringCacheTypeGivesSpringBootsOwnProvider() {
		this.contextRunner.withPropertyValues("spring.cache.type=simple")
			.run((context) -> assertThat(context).getBean(CacheManager.class)
				.isInstanceOf(ConcurrentMapCacheManager.class));
	}

	@Test
	void springCacheCacheNamesAreCreatedAtStartUpBesidesTierCachesOwn() {
		this.contextRunner
			.withPropertyValues("spring.cache.cache-names=authors,books", "tiercache.caches.books.ttl=1h",
					"tiercache.cache-names=prices")
			.run((context) -> {
				TierCacheManager manager = context.getBean(TierCacheManager.class);
				assertThat(manager.getCacheNames()).containsExactlyInAnyOrder("authors", "books", "prices");
				TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig();
				assertThat(manager.getCache("authors").getConfiguration()).isEqualTo(defaults);
				assertThat(manager.getCache("books").getConfiguration())
					.isEqualTo(defaults.withTtl(Duration.ofHours(1)));
				assertThat(manager.isDynamic()).isTrue();
			});
	}

	@Test
	void localModeNeedsNeitherJGroupsNorSpringDataRedis() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.jgroups", "org.springframework.data.redis"))
			.run((context) -> {
				assertThat(context).hasSingleBean(TierCacheManager.class).doesNotHaveBean(RemoteTier.class);
				assertThat(context.getBean(TierCacheManager.class).getCache("books").get(1L)).isNull();
			});
	}

	@Test
	void peersModeWithoutJGroupsFailsNamingTheDependencyToAdd() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.jgroups"))
			.withPropertyValues("tiercache.mode=peers")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new MissingLibraryFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("'peers'").contains("JGroups");
				assertThat(analysis.getAction()).contains("org.jgroups:jgroups:" + Libraries.JGROUPS_VERSION);
			});
	}

	@Test
	void redisModeWithoutSpringDataRedisFailsNamingTheStarterToAdd() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.withPropertyValues("tiercache.mode=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new MissingLibraryFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getAction()).contains("org.springframework.boot:spring-boot-starter-data-redis");
			});
	}

	@Test
	void theFailureAnalyzerIsRegisteredAsSpringBootLoadsThem() {
		// Spring Boot's own analyzers need constructor arguments only SpringApplication
		// gives; skip them.
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
			.load(FailureAnalyzer.class, FailureHandler.handleMessage((message, failure) -> {
			}))).hasAtLeastOneElementOfType(MissingLibraryFailureAnalyzer.class);
	}

	@Test
	void remoteWorkRunsOnVirtualThreadsWhenSpringBootsDoOnJava21AndLater() {
		this.contextRunner.withPropertyValues("spring.threads.virtual.enabled=true")
			.run((context) -> assertThat(context.getBean(TierCacheManager.class).usesVirtualThreads())
				.isEqualTo(Runtime.version().feature() >= 21));
		this.contextRunner
			.run((context) -> assertThat(context.getBean(TierCacheManager.class).usesVirtualThreads()).isFalse());
	}

	@Test
	void remoteThreadsBelowOneFailsAtStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("tiercache.remote-threads=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("remote-threads must be at least 1"));
		this.contextRunner.withPropertyValues("tiercache.remote-threads=0")
			.run((context) -> assertThat(context.getStartupFailure())
				.hasStackTraceContaining("tiercache.remote-threads"));
	}

	@Test
	void theDefaultOfRemoteThreadsIsTheCoresDefault() {
		assertThat(new TierCacheProperties().getRemoteThreads()).isEqualTo(TierCacheManager.DEFAULT_REMOTE_THREADS);
	}

	@Test
	void theJGroupsVersionNamedIsTheOneTierCacheIsBuiltWith() {
		assertThat(Libraries.JGROUPS_VERSION)
			.startsWith(Version.getMajor() + "." + Version.getMinor() + "." + Version.getMicro() + ".");
	}

}
