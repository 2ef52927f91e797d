package dev.tiercache;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import io.lettuce.core.sentinel.api.sync.RedisSentinelCommands;

import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A Redis Sentinel group of the tests: one master, one replica and three sentinels
 * monitoring them as {@value #MASTER_NAME} (quorum 2), each a {@code redis-server}
 * process of the embedded-redis jar on a free loopback port, started and stopped by the
 * tests themselves. Applications reach the master through the sentinels, as
 * {@code spring.data.redis.sentinel.*} configures them to.
 */
public final class TestRedisSentinel implements AutoCloseable {

	public static final String MASTER_NAME = "mymaster";

	private static TestRedisSentinel shared;

	private final List<RedisServerProcess> servers = new ArrayList<>();

	private final List<RedisServerProcess> sentinels = new ArrayList<>();

	private final RedisClient admin = RedisClient.create(TestRedis.clientResources());

	private TestRedisSentinel() {
	}

	/**
	 * Return a group shared by the tests of this JVM, started on first use and stopped
	 * when the JVM exits. A test that fails it over leaves it healthy (with the roles
	 * swapped).
	 */
	public static synchronized TestRedisSentinel shared() {
		if (shared == null) {
			shared = TestRedisSentinel.start();
			Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
		}
		return shared;
	}

	/**
	 * Start a group of its own: the master, its replica once it has synchronized, then
	 * the sentinels; return once every sentinel knows the replica and the other
	 * sentinels.
	 */
	public static TestRedisSentinel start() {
		TestRedisSentinel group = new TestRedisSentinel();
		try {
			RedisServerProcess master = RedisServerProcess.server("sentinel-master", RedisServerProcess.freePort());
			group.servers.add(master);
			group.servers.add(RedisServerProcess.server("sentinel-replica", RedisServerProcess.freePort(),
					"replicaof 127.0.0.1 " + master.port()));
			await().atMost(Duration.ofSeconds(10)).until(() -> group.isReplicaOf(group.servers.get(1), master.port()));
			// Each sentinel is told the replica and the other sentinels (ids and ports
			// chosen here), instead of discovering them over seconds.
			List<Integer> ports = List.of(RedisServerProcess.freePort(), RedisServerProcess.freePort(),
					RedisServerProcess.freePort());
			List<String> ids = ports.stream().map((port) -> sentinelId()).toList();
			for (int i = 0; i < ports.size(); i++) {
				List<String> settings = new ArrayList<>(List.of("sentinel myid " + ids.get(i),
						"sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
						"sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
						"sentinel failover-timeout " + MASTER_NAME + " 10000",
						"sentinel known-replica " + MASTER_NAME + " 127.0.0.1 " + group.servers.get(1).port()));
				for (int other = 0; other < ports.size(); other++) {
					if (other != i) {
						settings.add("sentinel known-sentinel " + MASTER_NAME + " 127.0.0.1 " + ports.get(other) + " "
								+ ids.get(other));
					}
				}
				group.sentinels.add(RedisServerProcess.sentinel("sentinel-" + (i + 1), ports.get(i),
						settings.toArray(String[]::new)));
			}
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(100))
				.ignoreExceptions()
				.until(() -> group.sentinels.stream().allMatch(group::knowsTheGroup));
			return group;
		}
		catch (RuntimeException ex) {
			group.close();
			throw ex;
		}
	}

	/**
	 * Return a new, started connection factory configured as a Spring Boot application
	 * configures it from {@code spring.data.redis.sentinel.master},
	 * {@code spring.data.redis.sentinel.nodes} and a short
	 * {@code spring.data.redis.timeout}.
	 */
	public LettuceConnectionFactory connectionFactory() {
		Set<String> nodes = new LinkedHashSet<>();
		this.sentinels.forEach((sentinel) -> nodes.add("127.0.0.1:" + sentinel.port()));
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.commandTimeout(Duration.ofMillis(500))
			.clientOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()).build())
			.clientResources(TestRedis.clientResources())
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisSentinelConfiguration(MASTER_NAME, nodes), client);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Return the port of the master, as the first sentinel reports it.
	 */
	public int masterPort() {
		return masterPort(this.sentinels.get(0));
	}

	/**
	 * Return the ports of the master and the replica.
	 */
	public List<Integer> serverPorts() {
		return this.servers.stream().map(RedisServerProcess::port).toList();
	}

	/**
	 * Return the keys matching {@code pattern} on the master.
	 */
	public List<String> keys(String pattern) {
		try (StatefulRedisConnection<String, String> connection = this.admin.connect(uri(server(masterPort())))) {
			return connection.sync().keys(pattern);
		}
	}

	/**
	 * Fail the master over to the replica with {@code SENTINEL FAILOVER}, as an operator
	 * does, and return once every sentinel reports the new master and the new master says
	 * it is one. The old master is still a master then, serving the clients connected to
	 * it, until the sentinels turn it into a replica (8 to 18 seconds later: Sentinel
	 * waits 4 hello periods, then acts on its next {@code INFO}, sent every 10 seconds);
	 * {@link #awaitReplica(int)} waits for that.
	 * @return the port of the new master
	 */
	public int failover() {
		int old = masterPort();
		// A sentinel refuses (NOGOODSLAVE) until it has seen the replica healthy lately.
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> "OK".equals(sentinel(this.sentinels.get(0), (commands) -> commands.failover(MASTER_NAME))));
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptions()
			.until(() -> this.sentinels.stream().allMatch((sentinel) -> masterPort(sentinel) != old)
					&& this.sentinels.stream().map(this::masterPort).distinct().count() == 1
					&& info(server(masterPort())).contains("role:master"));
		return masterPort();
	}

	/**
	 * Wait until the server on {@code port} is a replica of the master, synchronized:
	 * after a {@link #failover()}, until the old master has been reconfigured (which also
	 * closes its clients' connections, so they reconnect to the new master).
	 */
	public void awaitReplica(int port) {
		RedisServerProcess server = server(port);
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(50))
			.ignoreExceptions()
			.until(() -> isReplicaOf(server, masterPort()));
	}

	private static String sentinelId() {
		byte[] id = new byte[20];
		ThreadLocalRandom.current().nextBytes(id);
		return HexFormat.of().formatHex(id);
	}

	private boolean knowsTheGroup(RedisServerProcess sentinel) {
		Map<String, String> master = sentinel(sentinel, (commands) -> commands.master(MASTER_NAME));
		return "1".equals(master.get("num-slaves")) && "2".equals(master.get("num-other-sentinels"));
	}

	private RedisServerProcess server(int port) {
		return this.servers.stream()
			.filter((server) -> server.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No server of this group listens on " + port));
	}

	private int masterPort(RedisServerProcess sentinel) {
		return ((InetSocketAddress) sentinel(sentinel, (commands) -> commands.getMasterAddrByName(MASTER_NAME)))
			.getPort();
	}

	private boolean isReplicaOf(RedisServerProcess server, int masterPort) {
		String replication = info(server);
		return replication.contains("role:slave") && replication.contains("master_port:" + masterPort + "\r\n")
				&& replication.contains("master_link_status:up");
	}

	private String info(RedisServerProcess server) {
		try (StatefulRedisConnection<String, String> connection = this.admin.connect(uri(server))) {
			RedisCommands<String, String> commands = connection.sync();
			return commands.info("replication");
		}
	}

	private <T> T sentinel(RedisServerProcess sentinel, Function<RedisSentinelCommands<String, String>, T> action) {
		try (StatefulRedisSentinelConnection<String, String> connection = this.admin.connectSentinel(uri(sentinel))) {
			return action.apply(connection.sync());
		}
	}

	private static RedisURI uri(RedisServerProcess process) {
		return RedisURI.builder()
			.withHost("127.0.0.1")
			.withPort(process.port())
			.withTimeout(Duration.ofSeconds(2))
			.build();
	}

	/**
	 * Stop every process (sentinels first, so they start no failover) and delete their
	 * directories.
	 */
	@Override
	public synchronized void close() {
		this.sentinels.forEach(RedisServerProcess::destroy);
		this.servers.forEach(RedisServerProcess::destroy);
		this.admin.shutdown();
	}

}
