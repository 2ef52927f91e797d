package dev.tiercache.remote.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import redis.embedded.RedisServer;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster of one master that serves all 16384 slots, from the tests' own
 * {@code redis-server} binary on a free loopback port. It applies the cluster's rules
 * that do not need several nodes: every key of a command or a script must hash to one
 * slot ({@code CROSSSLOT} otherwise).
 */
final class SingleNodeCluster implements AutoCloseable {

	private static final ClientResources CLIENT_RESOURCES = DefaultClientResources.builder()
		.reconnectDelay(Delay.constant(Duration.ofMillis(100)))
		.build();

	private final int port;

	private final Path directory;

	private final RedisServer server;

	SingleNodeCluster() {
		this.port = freePort();
		try {
			this.directory = Files.createTempDirectory("tiercache-cluster");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.server = RedisServer.builder()
			.port(this.port)
			.setting("bind 127.0.0.1")
			.setting("save \"\"")
			.setting("appendonly no")
			.setting("cluster-enabled yes")
			.setting("cluster-config-file " + this.directory.resolve("nodes.conf"))
			.build();
		this.server.start();
		LettuceConnectionFactory admin = connectionFactory();
		try (RedisConnection connection = admin.getConnection()) {
			connection.execute("CLUSTER", bytes("ADDSLOTSRANGE"), bytes("0"), bytes("16383"));
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				Object info = connection.execute("CLUSTER", bytes("INFO"));
				String text = (info instanceof byte[] raw) ? new String(raw, StandardCharsets.UTF_8)
						: String.valueOf(info);
				return text.contains("cluster_state:ok");
			});
		}
		finally {
			admin.destroy();
		}
	}

	int port() {
		return this.port;
	}

	/**
	 * Return a new, started connection factory with a short command timeout.
	 */
	LettuceConnectionFactory connectionFactory() {
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.commandTimeout(Duration.ofMillis(500))
			.clientResources(CLIENT_RESOURCES)
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.port), client);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	@Override
	public void close() {
		this.server.stop();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
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
