package dev.tiercache.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * One demo node in a JVM process of its own ({@link DemoApplication#main}, on the test
 * class path), on a free HTTP port, its output in {@code target/demo-processes}.
 */
final class DemoProcess implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final String name;

	private final int port;

	private final Process process;

	private final Path log;

	private DemoProcess(String name, int port, Process process, Path log) {
		this.name = name;
		this.port = port;
		this.process = process;
		this.log = log;
	}

	/**
	 * Start node {@code name} with {@code arguments} (command-line properties) on a free
	 * port; it is not ready yet, see {@link #awaitUp()}.
	 */
	static DemoProcess start(String name, List<String> arguments) {
		int port = freePort();
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<String> command = new ArrayList<>(
				List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
						DemoApplication.class.getName(), "--server.port=" + port, "--tiercache.node-name=" + name));
		command.addAll(arguments);
		try {
			Path log = Files.createDirectories(Path.of("target", "demo-processes")).resolve(name + ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new DemoProcess(name, port, process, log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start demo node " + name, ex);
		}
	}

	/**
	 * Wait until the node answers that it is up.
	 */
	DemoProcess awaitUp() {
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
			if (!this.process.isAlive()) {
				throw new IllegalStateException(
						this.name + " exited with " + this.process.exitValue() + "; see " + this.log.toAbsolutePath());
			}
			try {
				return get("/actuator/health").contains("\"status\":\"UP\"");
			}
			catch (IllegalStateException ex) {
				return false;
			}
		});
		return this;
	}

	String name() {
		return this.name;
	}

	int port() {
		return this.port;
	}

	String get(String path) {
		return send(HttpRequest.newBuilder(uri(path)).GET().build()).body();
	}

	HttpResponse<String> put(String path, String json) {
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	/**
	 * Return a number of {@code GET /api/store/stats}: {@code loads} or
	 * {@code clusterLoads}.
	 */
	long storeStat(String field) {
		String stats = get("/api/store/stats");
		Matcher matcher = Pattern.compile("\"" + field + "\":(\\d+)").matcher(stats);
		if (!matcher.find()) {
			throw new IllegalStateException("No " + field + " in " + stats);
		}
		return Long.parseLong(matcher.group(1));
	}

	private HttpResponse<String> send(HttpRequest request) {
		try {
			return http.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(request.method() + " " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	/**
	 * Stop the node as an operator would ({@code SIGTERM}).
	 */
	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(20),
					java.util.concurrent.TimeUnit.MILLISECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port on the loopback interface", ex);
		}
	}

}
