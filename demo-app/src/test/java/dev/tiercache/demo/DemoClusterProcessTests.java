package dev.tiercache.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.tiercache.TestRedis;
import dev.tiercache.remote.peers.PeersCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three demo nodes as three JVM processes on one shared H2 database (the demo's default:
 * a file in automatic mixed mode), in peers mode and in Redis mode: a write on one node
 * is read on every node, and books read through all three nodes are read from the
 * database once each, counted by the database itself.
 */
class DemoClusterProcessTests {

	private final List<DemoProcess> nodes = new ArrayList<>();

	private TestRedis redis;

	@AfterEach
	void stop() {
		this.nodes.forEach(DemoProcess::close);
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void peersModeSharesOneDatabaseAcrossThreeProcesses() {
		int clusterPort = PeersCluster.freePortRange(6);
		startThree("peers", List.of("--tiercache.mode=peers", "--tiercache.cluster.name=demo-process-test",
				"--tiercache.cluster.port=" + clusterPort, "--tiercache.cluster.port-range=5"));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.nodes.stream().allMatch((node) -> node.get("/actuator/tiercache").contains("0.333")));
		assertWritesAreSeenEverywhereAndEachBookIsReadOnce();
	}

	@Test
	void redisModeSharesOneDatabaseAcrossThreeProcesses() {
		this.redis = TestRedis.start();
		startThree("redis", List.of("--tiercache.mode=redis", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + this.redis.port()));
		assertWritesAreSeenEverywhereAndEachBookIsReadOnce();
	}

	private void startThree(String mode, List<String> modeArguments) {
		String database = TestDatabase.freshPath("cluster-" + mode);
		for (int index = 1; index <= 3; index++) {
			List<String> arguments = new ArrayList<>(modeArguments);
			arguments.addAll(List.of("--demo.database.path=" + database, "--demo.store.latency=5ms"));
			this.nodes.add(DemoProcess.start(mode + "-node-" + index, arguments));
		}
		this.nodes.forEach(DemoProcess::awaitUp);
	}

	private void assertWritesAreSeenEverywhereAndEachBookIsReadOnce() {
		for (int id = 1; id <= 12; id++) {
			for (DemoProcess node : this.nodes) {
				assertThat(node.get("/api/books/" + id)).contains("\"title\":\"Book " + id + "\"");
			}
			DemoProcess writer = this.nodes.get(id % 3);
			String title = "Title " + id + " by " + writer.name();
			assertThat(writer.put("/api/books/" + id, "{\"title\": \"" + title + "\"}").statusCode()).isEqualTo(200);
			for (DemoProcess node : this.nodes) {
				assertThat(node.get("/api/books/" + id))
					.as("book %d on %s after a PUT on %s", id, node.name(), writer.name())
					.contains("\"title\":\"" + title + "\"");
			}
		}
		long clusterBefore = this.nodes.get(0).storeStat("clusterLoads");
		long nodesBefore = this.nodes.stream().mapToLong((node) -> node.storeStat("loads")).sum();
		for (int id = 101; id <= 200; id++) {
			for (DemoProcess node : this.nodes) {
				assertThat(node.get("/api/books/" + id)).contains("\"title\":\"Book " + id + "\"");
			}
		}
		for (DemoProcess node : this.nodes) {
			assertThat(node.storeStat("clusterLoads") - clusterBefore).as("database reads seen by %s", node.name())
				.isEqualTo(100);
		}
		long nodesAfter = this.nodes.stream().mapToLong((node) -> node.storeStat("loads")).sum();
		assertThat(nodesAfter - nodesBefore).as("database reads of the three nodes").isEqualTo(100);
	}

}
