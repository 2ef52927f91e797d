package dev.tiercache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster of the tests: three masters, each with one replica, every node a
 * {@code redis-server} process of the embedded-redis jar on free loopback ports (client
 * and cluster bus), started and stopped by the tests themselves. The cluster is formed
 * without {@code redis-cli}: {@code CLUSTER MEET}, {@code CLUSTER ADDSLOTSRANGE} and
 * {@code CLUSTER REPLICATE} sent to the nodes. A node is considered failed after 1 second
 * ({@code cluster-node-timeout}), so a killed master's replica takes over within a few
 * seconds.
 */
public final class TestRedisCluster implements AutoCloseable {

	private static final int MASTERS = 3;

	private static final int SLOTS = 16384;

	/** How often the clients refresh their view of the cluster, besides adaptively. */
	private static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(1);

	private static TestRedisCluster shared;

	private final List<Node> nodes = new ArrayList<>();

	private final RedisClient admin = RedisClient.create(TestRedis.clientResources());

	private TestRedisCluster() {
	}

	/**
	 * Return a cluster shared by the tests of this JVM, started on first use and stopped
	 * when the JVM exits. A test that fails a shard over or kills a master leaves it
	 * healthy again (with the roles swapped).
	 */
	public static synchronized TestRedisCluster shared() {
		if (shared == null) {
			shared = TestRedisCluster.start();
			Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
		}
		return shared;
	}

	/**
	 * Start six nodes, form the cluster, and return once every node reports
	 * {@code cluster_state:ok} and every replica has synchronized.
	 */
	public static TestRedisCluster start() {
		TestRedisCluster cluster = new TestRedisCluster();
		try {
			for (int i = 0; i < 2 * MASTERS; i++) {
				cluster.nodes.add(startNode("cluster-" + i));
			}
			cluster.form();
			return cluster;
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	/**
	 * Start a node on two free ports, its own and its cluster bus's. A port is free when
	 * chosen, but another socket of the build (an outgoing connection's ephemeral port,
	 * say) may take it before {@code redis-server} binds it; then choose again.
	 */
	private static Node startNode(String name) {
		for (int attempt = 1;; attempt++) {
			int bus = RedisServerProcess.freePort();
			try {
				return new Node(RedisServerProcess.server(name, RedisServerProcess.freePort(), "cluster-enabled yes",
						"cluster-config-file nodes.conf", "cluster-node-timeout 1000", "cluster-port " + bus,
						"cluster-replica-validity-factor 0"), bus);
			}
			catch (IllegalStateException ex) {
				if (attempt == 5 || !String.valueOf(ex.getMessage()).contains("Address in use")) {
					throw ex;
				}
			}
		}
	}

	private void form() {
		Node first = this.nodes.get(0);
		for (Node node : this.nodes.subList(1, this.nodes.size())) {
			run(first, (commands) -> commands.dispatch(CommandType.CLUSTER, new StatusOutput<>(StringCodec.UTF8),
					new CommandArgs<>(StringCodec.UTF8).add("MEET").add("127.0.0.1").add(node.port()).add(node.bus())));
		}
		for (int i = 0; i < MASTERS; i++) {
			Range<Integer> slots = Range.create(i * SLOTS / MASTERS, (i + 1) * SLOTS / MASTERS - 1);
			run(this.nodes.get(i), (commands) -> commands.clusterAddSlotsRange(slots));
		}
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> this.nodes.stream().allMatch((node) -> {
				String nodes = run(node, RedisCommands::clusterNodes);
				return nodes.lines().count() == this.nodes.size() && !nodes.contains("handshake");
			}));
		for (int i = 0; i < MASTERS; i++) {
			String master = run(this.nodes.get(i), RedisCommands::clusterMyId);
			run(this.nodes.get(MASTERS + i), (commands) -> commands.clusterReplicate(master));
		}
		awaitHealthy();
	}

	/**
	 * Return a new, started connection factory configured as a Spring Boot application
	 * configures it from {@code spring.data.redis.cluster.nodes}, a short
	 * {@code spring.data.redis.timeout} and
	 * {@code spring.data.redis.lettuce.cluster.refresh.period}, with Lettuce's adaptive
	 * topology refresh (every trigger, as Spring Boot 4.1 and Lettuce 7 have by default).
	 */
	public LettuceConnectionFactory connectionFactory() {
		RedisClusterConfiguration cluster = new RedisClusterConfiguration(
				this.nodes.stream().map((node) -> "127.0.0.1:" + node.port()).toList());
		ClusterTopologyRefreshOptions refresh = ClusterTopologyRefreshOptions.builder()
			.enableAllAdaptiveRefreshTriggers()
			.enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD)
			.build();
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.commandTimeout(Duration.ofMillis(500))
			.clientOptions(ClusterClientOptions.builder()
				.topologyRefreshOptions(refresh)
				.timeoutOptions(TimeoutOptions.enabled())
				.build())
			.clientResources(TestRedis.clientResources())
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(cluster, client);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Return the ports of the live masters, in the order of their first slot.
	 */
	public List<Integer> masterPorts() {
		return this.nodes.stream()
			.filter((node) -> node.process().isAlive() && role(node).contains("role:master"))
			.sorted((a, b) -> Integer.compare(firstSlot(a), firstSlot(b)))
			.map(Node::port)
			.toList();
	}

	/**
	 * Return the keys matching {@code pattern} on every live master, each asked directly
	 * (not through a client's view of the cluster).
	 */
	public List<String> keys(String pattern) {
		return masterPorts().stream()
			.flatMap((port) -> run(node(port), (commands) -> commands.keys(pattern)).stream())
			.toList();
	}

	/**
	 * Fail the shard of the master on {@code masterPort} over to its replica with
	 * {@code CLUSTER FAILOVER} (a manual failover: the master stops taking writes until
	 * its replica has caught up, so nothing is lost), and return once every live node
	 * reports {@code cluster_state:ok} and agrees on the new master.
	 * @return the port of the new master
	 */
	public int failover(int masterPort) {
		Node replica = replicaOf(masterPort);
		run(replica, (commands) -> commands.clusterFailover(false));
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> role(replica).contains("role:master") && isReplicaOf(node(masterPort), replica.port()));
		awaitHealthy();
		return replica.port();
	}

	/**
	 * Kill the master on {@code masterPort} as a crash would ({@code kill -9}) and return
	 * once its replica has taken over and every live node reports
	 * {@code cluster_state:ok}. {@link #restart(int)} brings the node back.
	 * @return the port of the new master
	 */
	public int killMaster(int masterPort) {
		Node replica = replicaOf(masterPort);
		node(masterPort).process().kill();
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> role(replica).contains("role:master"));
		awaitHealthy();
		return replica.port();
	}

	/**
	 * Start the killed node on {@code port} again, with its {@code nodes.conf}, and
	 * return once it has rejoined as a replica of the master that replaced it and
	 * synchronized.
	 */
	public void restart(int port) {
		Node node = node(port);
		node.process().start();
		awaitHealthy();
	}

	private Node replicaOf(int masterPort) {
		return this.nodes.stream()
			.filter((node) -> node.process().isAlive() && isReplicaOf(node, masterPort))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("The master on " + masterPort + " has no live replica"));
	}

	/**
	 * Wait until every live node reports {@code cluster_state:ok}, agrees that there are
	 * three masters, and every live replica's link to its master is up.
	 */
	private void awaitHealthy() {
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
			for (Node node : this.nodes) {
				if (!node.process().isAlive()) {
					continue;
				}
				String nodes = run(node, RedisCommands::clusterNodes);
				long masters = nodes.lines()
					.filter((line) -> line.contains("master") && !line.contains("fail"))
					.count();
				String role = role(node);
				if (!run(node, RedisCommands::clusterInfo).contains("cluster_state:ok") || masters != MASTERS
						|| (role.contains("role:slave") && !role.contains("master_link_status:up"))) {
					return false;
				}
			}
			return true;
		});
	}

	private boolean isReplicaOf(Node node, int masterPort) {
		String role = role(node);
		return role.contains("role:slave") && role.contains("master_port:" + masterPort + "\r\n");
	}

	private String role(Node node) {
		return run(node, (commands) -> commands.info("replication"));
	}

	private int firstSlot(Node master) {
		String myself = run(master, RedisCommands::clusterNodes).lines()
			.filter((line) -> line.contains("myself"))
			.findFirst()
			.orElseThrow();
		String[] fields = myself.split(" ");
		return (fields.length > 8) ? Integer.parseInt(fields[8].split("-")[0]) : Integer.MAX_VALUE;
	}

	private Node node(int port) {
		return this.nodes.stream()
			.filter((node) -> node.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No node of this cluster listens on " + port));
	}

	private <T> T run(Node node, Function<RedisCommands<String, String>, T> action) {
		RedisURI uri = RedisURI.builder()
			.withHost("127.0.0.1")
			.withPort(node.port())
			.withTimeout(Duration.ofSeconds(2))
			.build();
		try (StatefulRedisConnection<String, String> connection = this.admin.connect(uri)) {
			return action.apply(connection.sync());
		}
	}

	/**
	 * Stop every node and delete their directories.
	 */
	@Override
	public synchronized void close() {
		this.nodes.forEach((node) -> node.process().destroy());
		this.admin.shutdown();
	}

	private record Node(RedisServerProcess process, int bus) {

		int port() {
			return this.process.port();
		}

	}

}
