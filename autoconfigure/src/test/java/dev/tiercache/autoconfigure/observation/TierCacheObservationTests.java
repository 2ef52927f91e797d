package dev.tiercache.autoconfigure.observation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheManager;
import dev.tiercache.autoconfigure.TierCacheAutoConfiguration;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.remote.peers.PeersCluster;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.task.TaskDecorator;

import static dev.tiercache.autoconfigure.observation.RecordingHandler.parentName;
import static dev.tiercache.autoconfigure.observation.RecordingHandler.tag;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Loads, remote fetches and lease waits as Micrometer observations of the application's
 * registry, nested under the caller's, and the caller's context on tiercache's threads.
 */
class TierCacheObservationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, TierCacheAutoConfiguration.class,
				CacheAutoConfiguration.class))
		.withUserConfiguration(ObservedApplication.class)
		.withPropertyValues("tiercache.cache-names=books");

	@Test
	void aLoadIsObservedInsideTheCallersObservation() {
		this.contextRunner.run((context) -> {
			RecordingHandler handler = context.getBean(RecordingHandler.class);
			Books books = context.getBean(Books.class);
			inRequest(context, () -> books.find(1));
			inRequest(context, () -> books.find(1));
			List<Observation.Context> loads = handler.stopped("tiercache.load").toList();
			assertThat(loads).hasSize(1);
			assertThat(tag(loads.get(0), "cache")).isEqualTo("books");
			assertThat(tag(loads.get(0), "tier")).isEqualTo("local");
			assertThat(tag(loads.get(0), "outcome")).isEqualTo("success");
			assertThat(parentName(loads.get(0))).isEqualTo("request");
			assertThat(loads.get(0).getContextualName()).isEqualTo("load books");
		});
	}

	@Test
	void aRedisFetchIsObservedWithItsOutcomeAndTheLoadItLedTo() {
		try (TestRedis redis = TestRedis.start()) {
			ApplicationContextRunner node = this.contextRunner.withPropertyValues("tiercache.mode=redis",
					"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
					"spring.data.redis.timeout=500ms");
			node.run((first) -> node.run((second) -> {
				inRequest(first, () -> first.getBean(Books.class).find(2));
				inRequest(second, () -> second.getBean(Books.class).find(2));
				Observation.Context loaded = handler(first).stopped("tiercache.fetch").findFirst().orElseThrow();
				assertThat(tag(loaded, "tier")).isEqualTo("redis");
				assertThat(tag(loaded, "outcome")).isEqualTo("loaded");
				Observation.Context load = handler(first).stopped("tiercache.load").findFirst().orElseThrow();
				assertThat(parentName(load)).isEqualTo("tiercache.fetch");
				Observation.Context hit = handler(second).stopped("tiercache.fetch").findFirst().orElseThrow();
				assertThat(tag(hit, "outcome")).isEqualTo("hit");
				assertThat(parentName(hit)).isEqualTo("request");
				assertThat(handler(second).stopped("tiercache.load")).isEmpty();
			}));
		}
	}

	@Test
	void aLeaseWaitOnAPeerIsObservedInsideItsFetch() {
		int port = PeersCluster.freePortRange(6);
		ApplicationContextRunner peers = this.contextRunner.withPropertyValues("tiercache.mode=peers",
				"spring.application.name=observed", "tiercache.cluster.port=" + port, "tiercache.cluster.port-range=4");
		peers.withPropertyValues("tiercache.node-name=node-1")
			.run((first) -> peers.withPropertyValues("tiercache.node-name=node-2").run((second) -> {
				await().atMost(Duration.ofSeconds(30))
					.until(() -> first.getBean(ClusterView.class).members().size() == 2
							&& second.getBean(ClusterView.class).members().size() == 2);
				ClusterView view = first.getBean(ClusterView.class);
				int key = 0;
				while (!view.ownerOf("books", key).equals("node-2")) {
					key++;
				}
				Object owned = key;
				CompletableFuture<String> slow = new CompletableFuture<>();
				CompletableFuture<Object> leader = CompletableFuture
					.supplyAsync(() -> cache(first).get(owned, () -> slow.get(10, TimeUnit.SECONDS)));
				await().atMost(Duration.ofSeconds(10)).until(() -> handler(first).hasStarted("tiercache.load"));
				CompletableFuture<Object> waiter = CompletableFuture
					.supplyAsync(() -> cache(second).get(owned, () -> "loaded twice"));
				await().atMost(Duration.ofSeconds(10)).until(() -> handler(second).hasStarted("tiercache.lease.wait"));
				slow.complete("Dune");
				assertThat(leader.get(10, TimeUnit.SECONDS)).isEqualTo("Dune");
				assertThat(waiter.get(10, TimeUnit.SECONDS)).isEqualTo("Dune");
				Observation.Context wait = handler(second).stopped("tiercache.lease.wait").findFirst().orElseThrow();
				assertThat(tag(wait, "tier")).isEqualTo("peers");
				assertThat(tag(wait, "outcome")).isEqualTo("value");
				assertThat(parentName(wait)).isEqualTo("tiercache.fetch");
				Observation.Context fetch = handler(second).stopped("tiercache.fetch").findFirst().orElseThrow();
				assertThat(tag(fetch, "outcome")).isEqualTo("waited");
				assertThat(handler(second).stopped("tiercache.load")).isEmpty();
			}));
	}

	@Test
	void theCallersObservationReachesAnAsynchronousLoadOnTierCachesThreads() {
		try (TestRedis redis = TestRedis.start()) {
			this.contextRunner
				.withPropertyValues("tiercache.mode=redis", "spring.data.redis.host=127.0.0.1",
						"spring.data.redis.port=" + redis.port(), "spring.data.redis.timeout=500ms")
				.run((context) -> {
					Books books = context.getBean(Books.class);
					inRequest(context, () -> books.findAsync(3).get(10, TimeUnit.SECONDS));
					assertThat(books.asyncThread()).startsWith("tiercache-remote-");
					assertThat(books.asyncObservation()).isEqualTo("request");
				});
		}
	}

	@Test
	void theApplicationsTaskDecoratorWrapsTierCachesThreads() {
		try (TestRedis redis = TestRedis.start()) {
			this.contextRunner.withUserConfiguration(MdcDecorator.class)
				.withPropertyValues("tiercache.mode=redis", "spring.data.redis.host=127.0.0.1",
						"spring.data.redis.port=" + redis.port(), "spring.data.redis.timeout=500ms")
				.run((context) -> {
					Books books = context.getBean(Books.class);
					books.findAsync(4).get(10, TimeUnit.SECONDS);
					assertThat(books.asyncThread()).startsWith("tiercache-remote-");
					assertThat(books.asyncMdc()).isEqualTo("decorated");
				});
		}
	}

	private static void inRequest(ApplicationContext context, Observation.CheckedRunnable<Exception> call)
			throws Exception {
		Observation.createNotStarted("request", context.getBean(ObservationRegistry.class)).observeChecked(call);
	}

	private static RecordingHandler handler(ApplicationContext context) {
		return context.getBean(RecordingHandler.class);
	}

	private static TierCache cache(ApplicationContext context) {
		return context.getBean(TierCacheManager.class).getCache("books");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@Import(Books.class)
	static class ObservedApplication {

		@Bean
		RecordingHandler recordingHandler() {
			return new RecordingHandler();
		}

		@Bean
		ObservationRegistry observationRegistry(RecordingHandler handler) {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(handler);
			return registry;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class MdcDecorator {

		@Bean
		TaskDecorator mdcDecorator() {
			return (task) -> () -> {
				MDC.put("decorated", "decorated");
				try {
					task.run();
				}
				finally {
					MDC.remove("decorated");
				}
			};
		}

	}

	static class Books {

		private final ObservationRegistry registry;

		volatile String asyncThread;

		volatile String asyncObservation;

		volatile String asyncMdc;

		Books(ObservationRegistry registry) {
			this.registry = registry;
		}

		@Cacheable(cacheNames = "books", sync = true)
		public String find(long id) {
			return "book-" + id;
		}

		@Cacheable(cacheNames = "books", sync = true)
		public CompletableFuture<String> findAsync(long id) {
			this.asyncThread = Thread.currentThread().getName();
			Observation current = this.registry.getCurrentObservation();
			this.asyncObservation = (current != null) ? current.getContext().getName() : null;
			this.asyncMdc = MDC.get("decorated");
			return CompletableFuture.completedFuture("book-" + id);
		}

		// Read through the proxy, which has fields of its own.
		public String asyncThread() {
			return this.asyncThread;
		}

		public String asyncObservation() {
			return this.asyncObservation;
		}

		public String asyncMdc() {
			return this.asyncMdc;
		}

	}

}
