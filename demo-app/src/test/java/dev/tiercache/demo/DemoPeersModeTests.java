package dev.tiercache.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.tiercache.remote.peers.PeersCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two demo nodes in peers mode, started as the README starts them (each on a port of its
 * own, finding the other on loopback), seen over HTTP.
 */
class DemoPeersModeTests {

	private static final HttpClient http = HttpClient.newHttpClient();

	private static ConfigurableApplicationContext first;

	private static ConfigurableApplicationContext second;

	@BeforeAll
	static void startTwoNodes() {
		int clusterPort = PeersCluster.freePortRange(5);
		String database = TestDatabase.freshPath("peers");
		first = start(clusterPort, database);
		second = start(clusterPort, database);
		await().atMost(Duration.ofSeconds(30)).until(() -> get(first, "/actuator/tiercache").contains("\"share\":0.5"));
	}

	private static ConfigurableApplicationContext start(int clusterPort, String database) {
		return new SpringApplicationBuilder(DemoApplication.class).run("--server.port=0", "--tiercache.mode=peers",
				"--tiercache.cluster.name=demo-peers-test", "--tiercache.cluster.port=" + clusterPort,
				"--tiercache.cluster.port-range=3", "--demo.store.latency=5ms", "--demo.database.path=" + database);
	}

	@AfterAll
	static void stopNodes() {
		if (second != null) {
			second.close();
		}
		if (first != null) {
			first.close();
		}
	}

	@Test
	void aBookLoadedOnOneNodeIsServedByTheOtherWithoutALoad() {
		long before = loads(first) + loads(second);
		assertThat(get(first, "/api/books/21")).contains("\"title\":\"Book 21\"");
		assertThat(get(second, "/api/books/21")).contains("\"title\":\"Book 21\"");
		assertThat(get(first, "/api/books/21")).contains("\"title\":\"Book 21\"");
		assertThat(loads(first) + loads(second) - before).isEqualTo(1);
	}

	@Test
	void endpointShowsBothMembersWithTheirShareAndTheOwnerOfAKey() {
		String cluster = get(first, "/actuator/tiercache");
		assertThat(cluster).contains("\"mode\":\"peers\"")
			.containsPattern("\"node\":\"[^\"]+:" + port(first) + "\"")
			.containsPattern("\"name\":\"[^\"]+:" + port(second) + "\"")
			.contains("\"share\":0.5");
		get(second, "/api/books/22");
		String key = get(second, "/actuator/tiercache/books/22");
		assertThat(key).containsPattern("\"owner\":\"[^\"]+:(" + port(first) + "|" + port(second) + ")\"");
		assertThat(get(first, "/actuator/health")).contains("\"mode\":\"peers\"")
			.contains("\"members\":2")
			.contains("\"status\":\"UP\"");
	}

	private static long loads(ConfigurableApplicationContext node) {
		return node.getBean(BookStore.class).loads();
	}

	private static int port(ConfigurableApplicationContext node) {
		return Integer.parseInt(node.getEnvironment().getProperty("local.server.port"));
	}

	private static String get(ConfigurableApplicationContext node, String path) {
		try {
			URI uri = URI.create("http://127.0.0.1:" + port(node) + path);
			return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
		}
		catch (Exception ex) {
			throw new IllegalStateException("GET " + path + " failed", ex);
		}
	}

}
