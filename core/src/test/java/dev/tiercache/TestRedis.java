package dev.tiercache;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import redis.embedded.RedisServer;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A real {@code redis-server} (the static Redis 7 binary of the embedded-redis test jar)
 * on a free loopback port, started and stopped by the tests themselves.
 */
public final class TestRedis implements AutoCloseable {

	/**
	 * Reconnect every 100 ms instead of Lettuce's exponential backoff (up to 30 s), so
	 * that tests which restart Redis see the clients come back quickly.
	 */
	private static final ClientResources CLIENT_RESOURCES = DefaultClientResources.builder()
		.reconnectDelay(Delay.constant(Duration.ofMillis(100)))
		.build();

	private static TestRedis shared;

	private final int port;

	private RedisServer server;

	private TestRedis(int port) {
		this.port = port;
	}

	/**
	 * Return a server shared by the tests of this JVM, started on first use and stopped
	 * when the JVM exits.
	 */
	public static synchronized TestRedis shared() {
		if (shared == null) {
			shared = TestRedis.start();
			Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
		}
		return shared;
	}

	/**
	 * Start a server of its own on a free port.
	 */
	public static TestRedis start() {
		TestRedis redis = new TestRedis(freePort());
		redis.startServer();
		return redis;
	}

	private void startServer() {
		this.server = RedisServer.builder()
			.port(this.port)
			.setting("bind 127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no")
			.setting("protected-mode yes")
			.build();
		this.server.start();
	}

	public int port() {
		return this.port;
	}

	/**
	 * Stop the server, as a crash or a restart would.
	 */
	public void stop() {
		this.server.stop();
	}

	/**
	 * Start the server again on the same port, empty.
	 */
	public void restart() {
		startServer();
	}

	/**
	 * Return the client resources of every connection factory of the test servers:
	 * reconnects every 100 ms.
	 */
	static ClientResources clientResources() {
		return CLIENT_RESOURCES;
	}

	/**
	 * Return a new, started connection factory with a short command timeout, as a
	 * production application should configure ({@code spring.data.redis.timeout}).
	 */
	public LettuceConnectionFactory connectionFactory() {
		return connectionFactory(CLIENT_RESOURCES);
	}

	/**
	 * Return a new, started connection factory with a short command timeout and
	 * {@code resources} (for example a slow reconnect, as Lettuce's default back-off is
	 * after a long outage).
	 */
	public LettuceConnectionFactory connectionFactory(ClientResources resources) {
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.commandTimeout(Duration.ofMillis(500))
			.clientResources(resources)
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.port), client);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	@Override
	public synchronized void close() {
		if (this.server != null && this.server.isActive()) {
			this.server.stop();
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free port on the loopback interface", ex);
		}
	}

}
