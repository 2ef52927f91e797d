package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KillArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * Nodes of the tests (managers with connections of their own, as separate applications
 * have) on a real Redis server of their own, and an administrator's connection to that
 * server that pauses it, inspects keys and sets its configuration.
 */
final class RedisNodes implements AutoCloseable {

	/** Reconnect every 100 ms, as {@link TestRedis} does. */
	private static final ClientResources CLIENT_RESOURCES = DefaultClientResources.builder()
		.reconnectDelay(Delay.constant(Duration.ofMillis(100)))
		.build();

	static final TierCacheConfiguration BOOKS = TierCacheConfiguration.defaultCacheConfig()
		.withTtl(Duration.ofMinutes(10))
		.withTtlJitter(0.1)
		.withHotTtl(Duration.ofMinutes(5));

	/**
	 * Leases of 10 s, acks within 500 ms, a heartbeat every 100 ms, a circuit of 2 x 200
	 * ms.
	 */
	static final RedisTierSettings SETTINGS = new RedisTierSettings("test:", Duration.ofSeconds(10),
			Duration.ofMillis(500), Duration.ofMillis(100), false, 2, Duration.ofMillis(200));

	private final Supplier<LettuceConnectionFactory> connections;

	private final AutoCloseable server;

	private final List<LettuceConnectionFactory> connectionFactories = new ArrayList<>();

	private final List<TierCacheManager> managers = new ArrayList<>();

	private final List<RedisRemoteTier> tiers = new ArrayList<>();

	private final LettuceConnectionFactory admin;

	private final int port;

	/**
	 * Nodes on a standalone Redis server.
	 */
	RedisNodes() {
		this(TestRedis.start());
	}

	private RedisNodes(TestRedis redis) {
		this(redis::connectionFactory, redis, redis.port());
	}

	private RedisNodes(Supplier<LettuceConnectionFactory> connections, AutoCloseable server, int port) {
		this.connections = connections;
		this.server = server;
		this.port = port;
		this.admin = connections.get();
	}

	/**
	 * Nodes on a Redis Cluster of one master ({@link SingleNodeCluster}).
	 */
	static RedisNodes onCluster() {
		SingleNodeCluster cluster = new SingleNodeCluster();
		return new RedisNodes(cluster::connectionFactory, cluster, cluster.port());
	}

	TierCache node() {
		return node(BOOKS, SETTINGS);
	}

	TierCache node(TierCacheConfiguration configuration, RedisTierSettings settings) {
		return node(configuration, settings, ValueCodec.java(AllowList.of(List.of())));
	}

	TierCache node(TierCacheConfiguration configuration, RedisTierSettings settings, ValueCodec codec) {
		return node(configuration, (connections) -> RedisRemoteTier.start(connections, codec, settings,
				() -> "node-" + this.managers.size()));
	}

	/**
	 * A node whose connection factory {@code customizer} configures first.
	 */
	TierCache node(Consumer<LettuceConnectionFactory> customizer) {
		return node(BOOKS, customizer, (connections) -> RedisRemoteTier.start(connections,
				ValueCodec.java(AllowList.of(List.of())), SETTINGS, () -> "node-" + this.managers.size()));
	}

	TierCache node(TierCacheConfiguration configuration, Function<RedisConnectionFactory, RedisRemoteTier> tier) {
		return node(configuration, (connections) -> {
		}, tier);
	}

	/**
	 * A node whose connection factory {@code customizer} configures first.
	 */
	TierCache node(TierCacheConfiguration configuration, Consumer<LettuceConnectionFactory> customizer,
			Function<RedisConnectionFactory, RedisRemoteTier> tier) {
		LettuceConnectionFactory connectionFactory = this.connections.get();
		customizer.accept(connectionFactory);
		this.connectionFactories.add(connectionFactory);
		RedisRemoteTier remote = tier.apply(connectionFactory);
		this.tiers.add(remote);
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", configuration)
			.remoteTier(remote)
			.build();
		this.managers.add(manager);
		return manager.getCache("books");
	}

	/**
	 * Return a new, started connection factory, closed with the nodes.
	 */
	LettuceConnectionFactory connectionFactory() {
		LettuceConnectionFactory connectionFactory = this.connections.get();
		this.connectionFactories.add(connectionFactory);
		return connectionFactory;
	}

	/**
	 * A node that connects as the Redis user {@code username} (see {@code ACL SETUSER}).
	 */
	TierCache nodeAs(String username, String password) {
		return nodeAs(username, password, SETTINGS, ClientOptions.create());
	}

	/**
	 * A node that connects as the Redis user {@code username}, with these settings and
	 * Lettuce client options.
	 */
	TierCache nodeAs(String username, String password, RedisTierSettings settings, ClientOptions options) {
		return node(BOOKS, (connections) -> {
		}, (ignored) -> {
			RedisStandaloneConfiguration server = new RedisStandaloneConfiguration("127.0.0.1", this.port);
			server.setUsername(username);
			server.setPassword(password);
			LettuceConnectionFactory connections = new LettuceConnectionFactory(server,
					LettuceClientConfiguration.builder()
						.commandTimeout(Duration.ofMillis(500))
						.clientOptions(options)
						.clientResources(CLIENT_RESOURCES)
						.build());
			connections.afterPropertiesSet();
			connections.start();
			this.connectionFactories.add(connections);
			return RedisRemoteTier.start(connections, ValueCodec.java(AllowList.of(List.of())), settings,
					() -> "node-" + this.managers.size());
		});
	}

	RedisRemoteTier tier(int node) {
		return this.tiers.get(node);
	}

	/**
	 * Pause every client of the server but this one for {@code duration}: with
	 * {@code ALL} Redis answers no one, with {@code WRITE} it answers reads only.
	 */
	void pause(Duration duration, String mode) {
		execute("CLIENT", "PAUSE", Long.toString(duration.toMillis()), mode);
	}

	/**
	 * Wait until the server answers again after a pause.
	 */
	void awaitAnswering() {
		await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> execute("PING") != null);
	}

	Object execute(String command, String... arguments) {
		try (RedisConnection connection = this.admin.getConnection()) {
			byte[][] args = new byte[arguments.length][];
			for (int i = 0; i < arguments.length; i++) {
				args[i] = utf8(arguments[i]);
			}
			return connection.execute(command, args);
		}
	}

	/**
	 * Close the subscription connections of the Redis user {@code username}, as a network
	 * fault would.
	 * @return how many were closed
	 */
	long killSubscriptionsOf(String username) throws Exception {
		try (RedisConnection connection = this.admin.getConnection()) {
			@SuppressWarnings("unchecked")
			RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			return commands.clientKill(KillArgs.Builder.typePubsub().user(username)).get(5, TimeUnit.SECONDS);
		}
	}

	boolean exists(String key) {
		try (RedisConnection connection = this.admin.getConnection()) {
			return Boolean.TRUE.equals(connection.keyCommands().exists(utf8(key)));
		}
	}

	RedisConnection connection() {
		return this.admin.getConnection();
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void close() {
		this.managers.forEach(TierCacheManager::close);
		this.connectionFactories.forEach(LettuceConnectionFactory::destroy);
		this.admin.destroy();
		try {
			this.server.close();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
