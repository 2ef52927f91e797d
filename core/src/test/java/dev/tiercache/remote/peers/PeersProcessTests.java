package dev.tiercache.remote.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three peers in three JVM processes on loopback, as groupcache's own test re-runs itself
 * as child processes.
 */
class PeersProcessTests {

	private final List<Node> nodes = new ArrayList<>();

	@AfterEach
	void stopNodes() {
		this.nodes.forEach(Node::kill);
	}

	private List<Node> startCluster(String cluster, double hotRatio) {
		int basePort = PeersCluster.freePortRange(6);
		for (int index = 1; index <= 3; index++) {
			this.nodes.add(Node.start(cluster, basePort, index, 3, hotRatio));
		}
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.nodes.stream().allMatch((node) -> "3".equals(node.ask("members"))));
		return this.nodes;
	}

	@Test
	void threeProcessesOfSixteenThreadsLoadEachOfAHundredMissingKeysOnce() throws Exception {
		List<Node> cluster = startCluster("stampede", 0.125);
		List<CompletableFuture<String>> loads = cluster.stream()
			.map((node) -> CompletableFuture.supplyAsync(() -> node.ask("stampede")))
			.toList();
		long total = 0;
		for (CompletableFuture<String> load : loads) {
			total += Long.parseLong(load.get(120, TimeUnit.SECONDS));
		}
		assertThat(total).isEqualTo(100);
	}

	@Test
	void evictionOnOneProcessIsNeverFollowedByAStaleReadOnTheOthers() {
		List<Node> cluster = startCluster("stale", 0.125);
		for (int round = 0; round < 20; round++) {
			String key = "k" + (round % 5);
			String value = "v" + round;
			assertThat(cluster.get(0).ask("put " + key + " " + value)).isEqualTo("ok");
			assertThat(cluster.get(1).ask("get " + key)).isEqualTo(value);
			assertThat(cluster.get(2).ask("get " + key)).isEqualTo(value);
			assertThat(cluster.get(0).ask("evict " + key)).isEqualTo("ok");
			assertThat(cluster.get(1).ask("get " + key)).as("round %d", round).isEqualTo("null");
			assertThat(cluster.get(2).ask("get " + key)).as("round %d", round).isEqualTo("null");
		}
	}

	@Test
	void killingOneProcessFailsNoRequestOnTheOthers() throws Exception {
		List<Node> cluster = startCluster("kill", 0.125);
		List<CompletableFuture<String>> readers = List.of(
				CompletableFuture.supplyAsync(() -> cluster.get(0).ask("readloop 8")),
				CompletableFuture.supplyAsync(() -> cluster.get(1).ask("readloop 8")));
		Thread.sleep(2000);
		cluster.get(2).kill();
		for (CompletableFuture<String> reader : readers) {
			String[] result = reader.get(120, TimeUnit.SECONDS).split(" ");
			assertThat(Long.parseLong(result[0])).as("reads").isGreaterThan(1000);
			assertThat(Long.parseLong(result[1])).as("failed requests").isZero();
		}
	}

	@Test
	void gracefulShutdownLeavesItsEntriesCachedOnTheOthers() {
		// No hot tier, so that a hit can only come from an owner's main tier.
		List<Node> cluster = startCluster("shutdown", 0.0);
		assertThat(cluster.get(0).ask("fill 1000")).isEqualTo("ok");
		long loadsBefore = cluster.stream().mapToLong((node) -> Long.parseLong(node.ask("loads"))).sum();
		assertThat(loadsBefore).isEqualTo(1000);
		assertThat(cluster.get(2).ask("shutdown")).isEqualTo("bye");
		await().atMost(Duration.ofSeconds(60))
			.until(() -> "2".equals(cluster.get(0).ask("members")) && "2".equals(cluster.get(1).ask("members")));
		int hits = Integer.parseInt(cluster.get(0).ask("count 1000"));
		assertThat(hits).as("entries still cached after the shutdown").isGreaterThanOrEqualTo(950);
	}

	/**
	 * A child JVM running {@link PeerNodeMain}.
	 */
	static final class Node {

		private final Process process;

		private final Writer commands;

		private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

		private Node(Process process) {
			this.process = process;
			this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
			Thread reader = new Thread(() -> {
				try (BufferedReader out = new BufferedReader(
						new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
					String line;
					while ((line = out.readLine()) != null) {
						if (line.startsWith("@@ ")) {
							this.answers.add(line.substring(3));
						}
					}
				}
				catch (IOException ex) {
					// the process ended
				}
			});
			reader.setDaemon(true);
			reader.start();
		}

		static Node start(String cluster, int basePort, int index, int size, double hotRatio) {
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
					System.getProperty("java.class.path"), PeerNodeMain.class.getName(), cluster,
					Integer.toString(basePort), Integer.toString(index), Integer.toString(size),
					Double.toString(hotRatio));
			Path log = Path.of("target", "peer-processes", cluster + "-" + index + ".log");
			try {
				Files.createDirectories(log.getParent());
			}
			catch (IOException ex) {
				throw new IllegalStateException("Could not create " + log.getParent(), ex);
			}
			builder.redirectError(log.toFile());
			try {
				return new Node(builder.start());
			}
			catch (IOException ex) {
				throw new IllegalStateException("Could not start a peer process", ex);
			}
		}

		synchronized String ask(String command) {
			try {
				this.commands.write(command + "\n");
				this.commands.flush();
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
				while (System.nanoTime() < deadline) {
					String answer = this.answers.poll(200, TimeUnit.MILLISECONDS);
					if (answer != null) {
						return answer;
					}
					if (!this.process.isAlive()) {
						throw new IllegalStateException("The peer process exited with " + this.process.exitValue()
								+ " before answering '" + command + "'; see target/peer-processes");
					}
				}
				throw new IllegalStateException("No answer to '" + command + "'");
			}
			catch (IOException ex) {
				throw new IllegalStateException("The peer process is gone", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		/**
		 * {@code kill -9}: no shutdown hook, no handoff.
		 */
		void kill() {
			this.process.destroyForcibly();
		}

	}

}
