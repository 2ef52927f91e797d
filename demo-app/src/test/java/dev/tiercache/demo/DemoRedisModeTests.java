package dev.tiercache.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import dev.tiercache.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo in Redis mode, against a real Redis server the test starts, configured the way
 * a user configures Redis: {@code spring.data.redis.*}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "tiercache.mode=redis", "demo.store.latency=5ms", "tiercache.node-name=demo-redis" })
class DemoRedisModeTests {

	private static final TestRedis redis = TestRedis.start();

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Autowired
	BookStore store;

	@DynamicPropertySource
	static void redisPort(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.host", () -> "127.0.0.1");
		registry.add("spring.data.redis.port", redis::port);
		registry.add("demo.database.path", () -> TestDatabase.freshPath("redis"));
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void booksAreCachedInRedisAndUpdatesEvict() throws Exception {
		long before = this.store.loads();
		assertThat(get("/api/books/11").body()).contains("\"title\":\"Book 11\"");
		assertThat(get("/api/books/11").body()).contains("\"title\":\"Book 11\"");
		assertThat(this.store.loads() - before).isEqualTo(1);
		HttpResponse<String> updated = this.http.send(HttpRequest.newBuilder(uri("/api/books/11"))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString("{\"title\": \"Hyperion\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(get("/api/books/11").body()).contains("\"title\":\"Hyperion\"");
		assertThat(this.store.loads() - before).isEqualTo(2);
	}

	@Test
	void endpointAndHealthShowRedisMode() throws Exception {
		get("/api/books/12");
		assertThat(get("/actuator/tiercache").body()).contains("\"mode\":\"redis\"").contains("\"remoteHits\":");
		assertThat(get("/actuator/tiercache/books/12").body()).contains("\"owner\":\"redis\"");
		assertThat(get("/actuator/health").body()).contains("\"mode\":\"redis\"")
			.contains("\"redis\":\"connected\"")
			.contains("\"subscription\":\"active\"")
			.contains("\"status\":\"UP\"");
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

}
