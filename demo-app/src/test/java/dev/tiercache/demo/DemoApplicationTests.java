package dev.tiercache.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cache.CacheManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Starts the demo application on a free port and talks to it over HTTP, as a user would.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "demo.store.latency=5ms",
		"tiercache.caches.books.null-ttl=1h", "tiercache.node-name=demo-node" })
class DemoApplicationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Autowired
	CacheManager cacheManager;

	@Autowired
	BookStore store;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		registry.add("demo.database.path", () -> TestDatabase.freshPath("application"));
	}

	@BeforeEach
	void clearCache() {
		this.cacheManager.getCache("books").clear();
	}

	@Test
	void secondGetIsServedFromTheCache() throws Exception {
		long before = loads();
		HttpResponse<String> first = get("/api/books/1");
		HttpResponse<String> second = get("/api/books/1");
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.body()).contains("\"id\":1").contains("\"title\":\"Book 1\"");
		assertThat(second.body()).isEqualTo(first.body());
		assertThat(loads() - before).isEqualTo(1);
	}

	@Test
	void unknownBookIsA404ThatIsRemembered() throws Exception {
		long before = loads();
		assertThat(get("/api/books/5000").statusCode()).isEqualTo(404);
		assertThat(get("/api/books/5000").statusCode()).isEqualTo(404);
		assertThat(loads() - before).isEqualTo(1);
	}

	@Test
	void updateWritesTheStoreThenEvictsSoTheNextReadIsFresh() throws Exception {
		assertThat(get("/api/books/2").body()).contains("Book 2");
		long before = loads();
		HttpResponse<String> updated = send(HttpRequest.newBuilder(uri("/api/books/2"))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString("{\"title\": \"Dune\"}"))
			.build());
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(get("/api/books/2").body()).contains("\"title\":\"Dune\"");
		assertThat(get("/api/books/2").body()).contains("\"title\":\"Dune\"");
		assertThat(loads() - before).isEqualTo(1);
	}

	@Test
	void storeStatsCountTheStoreReadsInTheDatabase() throws Exception {
		long before = loads();
		get("/api/books/3");
		assertThat(loads() - before).isEqualTo(1);
		assertThat(get("/api/store/stats").body())
			.isEqualTo("{\"loads\":" + this.store.loads() + ",\"clusterLoads\":" + this.store.clusterLoads() + "}");
		assertThat(this.store.clusterLoads()).isEqualTo(this.store.loads());
	}

	@Test
	void actuatorShowsHealthCachesMetricsAndInfo() throws Exception {
		get("/api/books/4");
		assertThat(get("/actuator/health").body()).contains("\"status\":\"UP\"");
		assertThat(get("/actuator/caches").body()).contains("\"cacheManager\"").contains("\"books\"");
		assertThat(get("/actuator/metrics").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/info").body()).contains("tiercache demo");
	}

	@Test
	void tiercacheEndpointShowsModeNodeMembersAndCaches() throws Exception {
		get("/api/books/5");
		get("/api/books/5");
		String body = get("/actuator/tiercache").body();
		assertThat(body).contains("\"mode\":\"local\"")
			.contains("\"node\":\"demo-node\"")
			.contains("\"members\":[{\"name\":\"demo-node\"")
			.contains("\"share\":1.0")
			.contains("\"books\":{\"settings\":{\"ttl\":\"PT1H\"")
			.contains("\"mainHits\":")
			.contains("\"mainSize\":1");
	}

	@Test
	void tiercacheEndpointLocatesEvictsAndClears() throws Exception {
		get("/api/books/6");
		assertThat(get("/actuator/tiercache/books/6").body()).contains("\"type\":\"java.lang.Long\"")
			.contains("\"owner\":\"demo-node\"")
			.contains("\"cachedIn\":[\"main\"]");
		HttpResponse<String> evicted = send(
				HttpRequest.newBuilder(uri("/actuator/tiercache/books/6")).DELETE().build());
		assertThat(evicted.body()).contains("\"removed\":true");
		assertThat(get("/actuator/tiercache/books/6").body()).doesNotContain("\"main\"");
		long before = loads();
		get("/api/books/6");
		assertThat(loads() - before).isEqualTo(1);
		HttpResponse<String> cleared = send(HttpRequest.newBuilder(uri("/actuator/tiercache/books")).DELETE().build());
		assertThat(cleared.body()).contains("\"removed\":true");
		assertThat(get("/actuator/tiercache/unknown/6").statusCode()).isEqualTo(404);
	}

	@Test
	void healthHasATiercacheComponentThatIsUp() throws Exception {
		assertThat(get("/actuator/health").body()).contains(
				"\"tiercache\":{\"details\":{\"mode\":\"local\",\"node\":\"demo-node\",\"members\":1,\"caches\":1,\"degraded\":false},\"status\":\"UP\"}");
	}

	@Test
	void cacheAndTierMetricsAreExposed() throws Exception {
		get("/api/books/7");
		get("/api/books/7");
		assertThat(get("/actuator/metrics/cache.gets?tag=name:books&tag=result:hit").body())
			.contains("\"name\":\"cache.gets\"");
		assertThat(get("/actuator/metrics/tiercache.hits?tag=cache:books&tag=tier:main").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/metrics/tiercache.loads?tag=cache:books").body()).contains("\"statistic\":\"COUNT\"");
		assertThat(get("/actuator/metrics/tiercache.members").body()).contains("\"value\":1.0");
	}

	@Test
	void loadGeneratorRefusesSettingsOutOfRange() throws Exception {
		HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/api/load"))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"rate\":0,\"writeShare\":0,\"keys\":10,\"skew\":1}"))
			.build());
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(get("/api/load").body()).contains("\"running\":false");
	}

	@Test
	void historyHasOneSampleASecond() throws Exception {
		await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/history").body().split("\"time\"").length > 2);
		assertThat(get("/api/history").body()).contains("\"mainHits\":").contains("\"clusterReads\":");
	}

	private long loads() {
		return this.store.loads();
	}

	private HttpResponse<String> get(String path) throws Exception {
		return send(HttpRequest.newBuilder(uri(path)).GET().build());
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		return this.http.send(request, HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
