package dev.tiercache.demo;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo as Spring AOT processed it at build time ({@code process-aot}), started from
 * its jar with {@code -Dspring.aot.enabled=true}: it runs on the generated bean
 * definitions, caches through tiercache, and the hints for its cached values were
 * generated.
 */
class DemoAotIT {

	private static final Path JAR = Path.of("target/tiercache-demo.jar");

	private static final Path AOT_RESOURCES = Path.of("target/spring-aot/main/resources");

	private final HttpClient http = HttpClient.newHttpClient();

	private Process process;

	@AfterEach
	void stop() throws InterruptedException {
		if (this.process != null) {
			this.process.destroy();
			this.process.waitFor();
		}
	}

	@Test
	void theAotProcessedDemoStartsAndCachesThroughTierCache() throws Exception {
		assertThat(JAR).exists();
		int port = freePort();
		Path log = Files.createTempFile("demo-aot", ".log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		this.process = new ProcessBuilder(List.of(java, "-Dspring.aot.enabled=true", "-jar", JAR.toString(),
				"--server.port=" + port, "--tiercache.node-name=aot", "--demo.store.latency=1ms"))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		String base = "http://127.0.0.1:" + port;
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(200))
			.ignoreExceptions()
			.until(() -> get(base + "/actuator/health").contains("UP"));
		assertThat(Files.readString(log)).contains("AOT-processed");
		assertThat(get(base + "/api/books/1")).contains("\"id\":1");
		assertThat(get(base + "/api/books/1")).contains("\"id\":1");
		assertThat(get(base + "/api/store/stats")).contains("\"loads\":1");
		assertThat(get(base + "/actuator/tiercache")).contains("\"mode\":\"local\"");
	}

	@Test
	void aModeOtherThanTheBuildsFailsSayingItIsFixedAtBuildTime() throws Exception {
		Path log = Files.createTempFile("demo-aot", ".log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		this.process = new ProcessBuilder(List.of(java, "-Dspring.aot.enabled=true", "-jar", JAR.toString(),
				"--server.port=" + freePort(), "--tiercache.mode=peers", "--tiercache.node-name=aot"))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		assertThat(this.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(this.process.exitValue()).isNotZero();
		assertThat(Files.readString(log)).contains("tiercache.mode=peers, but this application was processed ahead "
				+ "of time (Spring AOT) with another tiercache.mode");
	}

	@Test
	void hintsForTheDemosCachedValuesWereGenerated() throws IOException {
		try (Stream<Path> files = Files.walk(AOT_RESOURCES)) {
			List<String> metadata = files.filter((file) -> file.toString().endsWith(".json")).map((file) -> {
				try {
					return Files.readString(file, StandardCharsets.UTF_8);
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}).toList();
			assertThat(metadata).anyMatch((json) -> json.contains("dev.tiercache.demo.Book"));
			assertThat(metadata).anyMatch((json) -> json.contains("jg-magic-map.xml"));
		}
	}

	private String get(String url) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString()).body();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
