package dev.tiercache.remote.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.tiercache.RedisServerProcess;
import dev.tiercache.TestRedis;
import dev.tiercache.history.History;
import dev.tiercache.history.History.Kind;
import dev.tiercache.history.History.Load;
import dev.tiercache.history.History.Operation;
import dev.tiercache.history.History.Value;
import dev.tiercache.history.StaleReads;
import dev.tiercache.history.StaleReads.Stale;
import dev.tiercache.remote.peers.StaleReadProcess;
import dev.tiercache.remote.redis.RedisTierSettings.OnOutage;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The measurement of issue 14 item 0, with real processes and a real crash: three
 * application JVMs in redis mode ({@link RedisStaleReadNodeMain}, tiercache's default
 * Redis settings, {@code hot-ttl} 30 s) share one {@code redis-server} as their cache and
 * a database that lives in another {@code redis-server}, which no fault touches. Each
 * process runs 12 readers ({@code get(id, loader)}) and 2 writers (update the row, then
 * {@code evict(id)}) over 50 keys and records every operation; the test merges the
 * histories and finds every read that returned a version older than a write completed
 * before the read began ({@link StaleReads}). Scenarios: no fault; and a {@code kill -9}
 * of the cache's {@code redis-server}, started again empty on the same port 3 s later,
 * with each {@code tiercache.redis.on-outage} setting.
 *
 * <p>
 * Times are {@code System.nanoTime()} of each process, comparable across processes on one
 * Linux host (see {@link dev.tiercache.remote.peers.PeersStaleReadProcessTests}). The
 * numbers are printed and appended to {@code target/staleness/summary.txt}.
 */
class RedisStaleReadProcessTests {

	private static final int KEYS = 50;

	private static final int READERS = 12;

	private static final int WRITERS = 2;

	private static final Duration HOT_TTL = Duration.ofSeconds(30);

	private static final Duration OUTAGE = Duration.ofSeconds(3);

	/**
	 * How long after Redis is started again a stale read may still begin, with either
	 * setting: until every writer's evictions that failed during the outage have reached
	 * Redis, since a node that reaches Redis again before a writer does reads that
	 * writer's old value from Redis or admits it to hot. A writer's node reconnects
	 * within retry-interval (the capped back-off, 1 s), its circuit's next trial comes
	 * within retry-interval (1 s), and its pending evictions are replayed then or at the
	 * next heartbeat (1 s); plus 1 s for a machine this busy.
	 */
	private static final Duration BOUND = Duration.ofSeconds(4);

	private static final Path DIRECTORY = Path.of("target", "staleness");

	private static TestRedis database;

	private final List<StaleReadProcess> nodes = new ArrayList<>();

	private RedisServerProcess cache;

	@BeforeAll
	static void startDatabase() {
		database = TestRedis.start();
	}

	@AfterAll
	static void stopDatabase() {
		database.close();
	}

	@AfterEach
	void stop() {
		this.nodes.forEach(StaleReadProcess::kill);
		if (this.cache != null) {
			this.cache.kill();
		}
	}

	@Test
	void withoutFaultsNoReadIsStaleAndNoneFails() throws Exception {
		Run run = run("redis-no-fault", OnOutage.SERVE_HOT, false);
		assertThat(run.failed()).as("failed requests").isEmpty();
		assertThat(run.stale).withFailMessage(() -> "stale reads:\n" + run.describe(run.stale)).isEmpty();
	}

	@Test
	void restartOfRedisWithServeHot() throws Exception {
		Run run = run("redis-restart-serve-hot", OnOutage.SERVE_HOT, true);
		assertThat(run.failed()).as("failed requests").isEmpty();
	}

	@Test
	void restartOfRedisWithDropHotReadsNothingStaleOnceRedisIsBack() throws Exception {
		Run run = run("redis-restart-drop-hot", OnOutage.DROP_HOT, true);
		assertThat(run.failed()).as("failed requests").isEmpty();
		// What drop-hot is for: once a node has noticed the outage (and dropped its hot
		// copies), no write made during it is masked there by a hot copy. When a node
		// noticed is what it recorded right after the drop: 3 commands that time out
		// take 0.5-1.5 s on this machine. A read that joined its node's load of the key,
		// begun before the write and still under way, returns what that load read: no
		// hot copy, and stale for at most the load's time (the write could not reach the
		// node), as with any cache whose nodes cannot hear each other. The outage ends
		// when redis-server is started again, not when this test's PING (polled every
		// 20 ms) is answered: a node can reach Redis in between, and its reads are then
		// in the window after the restart, which the second check bounds.
		List<Stale> masked = run.stale.stream()
			.filter((stale) -> stale.read().invoked() > run.noticed(stale.read().node())
					&& stale.read().invoked() < run.restarting && stale.write().invoked() > run.killedAt)
			.filter((stale) -> !joinedALoadUnderWay(stale, run))
			.toList();
		assertThat(run.noticing()).as("nodes that dropped their hot copies during the outage")
			.containsExactly("node-1", "node-2", "node-3");
		assertThat(masked)
			.withFailMessage(() -> "writes during the outage masked by hot copies:\n" + run.describe(masked))
			.isEmpty();
		List<Stale> late = run.stale.stream()
			.filter((stale) -> stale.read().invoked() > run.restarting + BOUND.toNanos())
			.toList();
		assertThat(late)
			.withFailMessage(
					() -> "stale reads begun later than " + BOUND + " after Redis restarted:\n" + run.describe(late))
			.isEmpty();
	}

	private Run run(String scenario, OnOutage onOutage, boolean restart) throws Exception {
		Files.createDirectories(DIRECTORY);
		flushDatabase();
		int cachePort = freePort();
		this.cache = RedisServerProcess.server("cache", cachePort);
		for (int index = 1; index <= 3; index++) {
			this.nodes.add(StaleReadProcess.start(DIRECTORY, scenario, "node-" + index, RedisStaleReadNodeMain.class,
					List.of(Integer.toString(index), Integer.toString(cachePort), Integer.toString(database.port()),
							Integer.toString(KEYS), Long.toString(HOT_TTL.toMillis()), onOutage.name())));
		}
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.nodes.stream().allMatch((node) -> "true".equals(node.ask("ready"))));
		Run run = new Run(scenario, onOutage);
		this.nodes.forEach((node) -> assertThat(node.ask("run " + READERS + " " + WRITERS)).isEqualTo("ok"));
		run.began = System.nanoTime();
		if (restart) {
			sleepUntil(run.began + TimeUnit.SECONDS.toNanos(3));
			run.killedAt = System.nanoTime();
			this.cache.kill();
			sleepUntil(run.killedAt + OUTAGE.toNanos());
			run.restarting = System.nanoTime();
			this.cache.start();
			run.restartedAt = System.nanoTime();
			sleepUntil(run.restartedAt + BOUND.toNanos() + TimeUnit.SECONDS.toNanos(2));
		}
		else {
			sleepUntil(run.began + TimeUnit.SECONDS.toNanos(8));
		}
		List<String> stats = new ArrayList<>();
		for (StaleReadProcess node : this.nodes) {
			String[] stopped = node.ask("stop").split(" ");
			assertThat(stopped[3]).as("clients of %s stuck in an operation", node.name()).isEqualTo("0");
			stats.add(node.name() + " " + node.ask("stats"));
		}
		run.ended = System.nanoTime();
		for (StaleReadProcess node : this.nodes) {
			run.read(node.history());
		}
		run.stale = StaleReads.find(run.operations);
		run.print(stats);
		return run;
	}

	private static void flushDatabase() {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", database.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().flushall();
		}
		finally {
			client.shutdown();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static void sleepUntil(long deadline) throws InterruptedException {
		long remaining;
		while ((remaining = deadline - System.nanoTime()) > 0) {
			TimeUnit.NANOSECONDS.sleep(remaining);
		}
	}

	/**
	 * One scenario: the merged history, its stale reads, and when the fault happened.
	 */
	/**
	 * Whether {@code stale}'s read returned the value of a load by another call on the
	 * same node that was still under way when the read began (the node's single-flight).
	 * A load is under way until the call that ran it returns: after the loader, the
	 * flight still offers the value to Redis, which takes up to the command timeout while
	 * the node has not noticed the outage.
	 */
	private static boolean joinedALoadUnderWay(Stale stale, Run run) {
		Value value = History.parse(stale.read().returned());
		Load load = (value != null) ? run.loads.get(value.origin()) : null;
		if (load == null || load.operation() == stale.read().id() || !load.node().equals(stale.read().node())) {
			return false;
		}
		long ended = Math.max(load.completed(), run.returned.getOrDefault(load.operation(), Long.MAX_VALUE));
		return ended >= stale.read().invoked();
	}

	private static final class Run {

		private final String scenario;

		private final OnOutage onOutage;

		private final List<Operation> operations = new ArrayList<>();

		/** The loads, by id: what a value's origin names. */
		private final Map<Long, Load> loads = new HashMap<>();

		/** When each call returned, by operation id. */
		private final Map<Long, Long> returned = new HashMap<>();

		/** When each node recorded that it had dropped every hot copy. */
		private final Map<String, List<Long>> drops = new HashMap<>();

		private List<Stale> stale = List.of();

		private long began;

		private long killedAt;

		/** When redis-server was started again: it may answer any time after this. */
		private long restarting;

		/** When redis-server answered this test's PING after the restart. */
		private long restartedAt;

		private long ended;

		Run(String scenario, OnOutage onOutage) {
			this.scenario = scenario;
			this.onOutage = onOutage;
		}

		/**
		 * Read a process's history: {@code R} reads, {@code W} writes, {@code L} loads,
		 * and {@code O} when it dropped every hot copy.
		 */
		void read(Path file) throws IOException {
			for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
				String[] f = line.split(" ");
				if (f.length < 8) {
					continue;
				}
				switch (f[0]) {
					case "R" -> {
						this.operations.add(new Operation(Long.parseLong(f[1]), f[2], Kind.LOAD_GET, f[3],
								Long.parseLong(f[4]), Long.parseLong(f[5]), 0, Map.of(), text(f[6]), failure(f[7])));
						this.returned.put(Long.parseLong(f[1]), Long.parseLong(f[5]));
					}
					case "O" -> this.drops.computeIfAbsent(f[2], (node) -> new ArrayList<>()).add(Long.parseLong(f[4]));
					case "W" -> this.operations
						.add(new Operation(Long.parseLong(f[1]), f[2], Kind.EVICT, f[3], Long.parseLong(f[4]),
								Long.parseLong(f[5]), Long.parseLong(f[6]), Map.of(), null, failure(f[7])));
					case "L" ->
						this.loads.put(Long.parseLong(f[1]), new Load(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3],
								f[4], Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7])));
					default -> {
					}
				}
			}
		}

		/**
		 * Return when {@code node} noticed the outage (its first drop of the hot copies
		 * after the kill), or {@link Long#MAX_VALUE} if it did not.
		 */
		long noticed(String node) {
			return this.drops.getOrDefault(node, List.of())
				.stream()
				.filter((time) -> time > this.killedAt)
				.min(Long::compare)
				.orElse(Long.MAX_VALUE);
		}

		List<String> noticing() {
			return this.drops.keySet().stream().filter((node) -> noticed(node) != Long.MAX_VALUE).sorted().toList();
		}

		List<Operation> failed() {
			return this.operations.stream().filter((operation) -> operation.failure() != null).toList();
		}

		String describe(List<Stale> reads) {
			return String.join("\n", reads.stream().limit(10).map(this::describe).toList());
		}

		private String describe(Stale stale) {
			if (this.killedAt == 0) {
				return stale.toString();
			}
			long read = stale.read().invoked();
			return String.format(
					"%s%n      (read begun %.1f ms after the kill, %.1f ms after redis-server was started "
							+ "again, %.1f ms after its first PONG)",
					stale, (read - this.killedAt) / 1e6, (read - this.restarting) / 1e6,
					(read - this.restartedAt) / 1e6);
		}

		/**
		 * Print the numbers, split by when the stale reads began: before the kill, during
		 * the outage, within {@link #BOUND} of the restart, and later.
		 */
		void print(List<String> stats) throws IOException {
			long reads = this.operations.stream().filter((operation) -> !operation.kind().isWrite()).count();
			long writes = this.operations.size() - reads;
			StringBuilder text = new StringBuilder(String.format(
					"RedisStaleReadProcessTests %s (on-outage %s; 3 processes x %d readers + %d writers, %d keys, "
							+ "hot-ttl %d s): reads %d, writes %d, stale reads %d (max %.1f ms), failed requests %d; "
							+ "%.1f s of operations%n",
					this.scenario, this.onOutage.name().toLowerCase().replace('_', '-'), READERS, WRITERS, KEYS,
					HOT_TTL.toSeconds(), reads, writes, this.stale.size(), maxMillis(this.stale), failed().size(),
					(this.ended - this.began) / 1e9));
			if (this.killedAt != 0) {
				text.append(String.format("  kill -9 of redis-server at %.1f s, started again %.1f s later%n",
						(this.killedAt - this.began) / 1e9, (this.restartedAt - this.killedAt) / 1e9));
				window(text, "begun before the kill", Long.MIN_VALUE, this.killedAt);
				noticing()
					.forEach((node) -> text.append(String.format("  %s dropped its hot copies %.0f ms after the kill%n",
							node, (noticed(node) - this.killedAt) / 1e6)));
				window(text, "begun during the outage", this.killedAt, this.restarting);
				window(text, "begun between the restart and its first PONG", this.restarting, this.restartedAt);
				window(text, "begun within " + BOUND.toMillis() + " ms of the restart", this.restartedAt,
						this.restartedAt + BOUND.toNanos());
				window(text, "begun later", this.restartedAt + BOUND.toNanos(), Long.MAX_VALUE);
			}
			stats.forEach((line) -> text.append("  ").append(line).append('\n'));
			System.out.print(text);
			Files.writeString(DIRECTORY.resolve("summary.txt"), text, StandardOpenOption.CREATE,
					StandardOpenOption.APPEND);
		}

		private void window(StringBuilder text, String what, long from, long to) {
			List<Stale> in = this.stale.stream()
				.filter((stale) -> stale.read().invoked() >= from && stale.read().invoked() < to)
				.toList();
			long last = in.stream().mapToLong((stale) -> stale.read().invoked()).max().orElse(0);
			text.append(
					String.format("  stale reads %s: %d (max %.1f ms)%s%n", what, in.size(), maxMillis(in),
							(this.restartedAt != 0 && last > this.restartedAt) ? String
								.format(", the last begun %.1f ms after the restart", (last - this.restartedAt) / 1e6)
									: ""));
		}

		private static double maxMillis(List<Stale> stale) {
			return stale.stream().mapToLong(Stale::nanos).max().orElse(0) / 1e6;
		}

		private static String text(String field) {
			return "-".equals(field) ? null : field;
		}

		private static Throwable failure(String field) {
			return "-".equals(field) ? null : new IllegalStateException(field);
		}

	}

}
