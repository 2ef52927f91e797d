package dev.tiercache;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import redis.embedded.RedisExecProvider;

import static org.awaitility.Awaitility.await;

/**
 * One {@code redis-server} process of the tests (a server, a cluster node or a sentinel):
 * the static Redis 7 binary of the embedded-redis test jar, run with a configuration file
 * in a temporary directory of its own, on a free loopback port. It can be stopped as an
 * operator would ({@code SIGTERM}), killed as a crash would ({@code SIGKILL}), and
 * started again with the same directory, so a cluster node comes back with its
 * {@code nodes.conf}. Every process still running when the JVM exits is killed.
 */
public final class RedisServerProcess {

	private static final Set<RedisServerProcess> running = ConcurrentHashMap.newKeySet();

	private static File executable;

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(running).forEach(RedisServerProcess::kill)));
	}

	private final String name;

	private final int port;

	private final Path directory;

	private final Path configFile;

	private final boolean sentinel;

	private Process process;

	private RedisServerProcess(String name, int port, List<String> settings, boolean sentinel) {
		this.name = name;
		this.port = port;
		this.sentinel = sentinel;
		try {
			this.directory = Files.createTempDirectory("tiercache-" + name + "-");
			List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + this.directory,
					"logfile \"\"", "save \"\"", "appendonly no"));
			lines.addAll(settings);
			this.configFile = Files.write(this.directory.resolve(sentinel ? "sentinel.conf" : "redis.conf"), lines);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Start a server (or a cluster node) named {@code name} on {@code port}, with
	 * {@code settings} (lines of {@code redis.conf}) after the defaults, and wait until
	 * it answers {@code PING}.
	 */
	public static RedisServerProcess server(String name, int port, String... settings) {
		List<String> lines = new ArrayList<>();
		// A master otherwise waits 5 s for more replicas before it sends its data.
		lines.add("repl-diskless-sync-delay 0");
		lines.addAll(List.of(settings));
		RedisServerProcess server = new RedisServerProcess(name, port, lines, false);
		server.start();
		return server;
	}

	/**
	 * Start a sentinel ({@code redis-server sentinel.conf --sentinel}) with
	 * {@code settings} (lines of {@code sentinel.conf}).
	 */
	static RedisServerProcess sentinel(String name, int port, String... settings) {
		RedisServerProcess sentinel = new RedisServerProcess(name, port, List.of(settings), true);
		sentinel.start();
		return sentinel;
	}

	/**
	 * Start the process (again, after {@link #stop()} or {@link #kill()}) and wait until
	 * it answers {@code PING}.
	 */
	public synchronized void start() {
		if (isAlive()) {
			return;
		}
		List<String> command = new ArrayList<>(List.of(executable().getAbsolutePath(), this.configFile.toString()));
		if (this.sentinel) {
			command.add("--sentinel");
		}
		try {
			this.process = new ProcessBuilder(command).directory(this.directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(this.directory.resolve("redis.log").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + this.name, ex);
		}
		running.add(this);
		awaitPong();
	}

	private void awaitPong() {
		try {
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
				if (!this.process.isAlive()) {
					throw new IllegalStateException(this.name + " exited at start-up:\n" + log());
				}
				return pong();
			});
		}
		catch (ConditionTimeoutException ex) {
			throw new IllegalStateException(this.name + " did not answer PING within 10 s:\n" + log(), ex);
		}
	}

	private boolean pong() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 200);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = in.readNBytes(7);
			return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Stop the process as an operator would ({@code SIGTERM}) and wait until it exits.
	 */
	synchronized void stop() {
		end(false);
	}

	/**
	 * Kill the process as a crash would ({@code SIGKILL}, {@code kill -9}) and wait until
	 * it is gone.
	 */
	public synchronized void kill() {
		end(true);
	}

	private void end(boolean forcibly) {
		if (this.process == null) {
			return;
		}
		if (forcibly) {
			this.process.destroyForcibly();
		}
		else {
			this.process.destroy();
		}
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		running.remove(this);
	}

	/**
	 * Kill the process and delete its directory.
	 */
	synchronized void destroy() {
		kill();
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// A temporary directory: the system cleans it up eventually.
		}
	}

	synchronized boolean isAlive() {
		return this.process != null && this.process.isAlive();
	}

	int port() {
		return this.port;
	}

	String name() {
		return this.name;
	}

	/**
	 * Return the end of the process's log, for failure messages.
	 */
	String log() {
		try {
			List<String> lines = Files.readAllLines(this.directory.resolve("redis.log"));
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	@Override
	public String toString() {
		return this.name + "@" + this.port;
	}

	/**
	 * Return a port nobody listens on now.
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free port on the loopback interface", ex);
		}
	}

	/**
	 * The binary the embedded-redis jar ships for this platform, extracted (to a
	 * temporary directory) once per JVM.
	 */
	private static synchronized File executable() {
		if (executable == null) {
			try {
				executable = RedisExecProvider.defaultProvider().get();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not extract redis-server from the embedded-redis jar", ex);
			}
		}
		return executable;
	}

}
