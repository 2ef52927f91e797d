package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.history.Database;
import dev.tiercache.history.History;
import dev.tiercache.history.HistoryChecker;
import dev.tiercache.history.HistoryRun;
import dev.tiercache.history.RemoteErrors;
import dev.tiercache.history.Workload;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static dev.tiercache.history.HistoryRun.sleepUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded, randomized history of Redis mode: three nodes (managers with connections of
 * their own) on one real {@code redis-server}, client threads calling random operations
 * on random nodes over a dozen keys backed by a test-owned {@link Database}, while Redis
 * is paused ({@code CLIENT PAUSE <ms> ALL}, 300 to 800 ms, from an administrator's
 * connection) and nodes restart (a manager is closed, a new one started). Then
 * {@link HistoryChecker} checks every invariant of the design over the recorded
 * operations at once.
 *
 * <p>
 * What a Redis pause excuses is what docs/operations.md promises for it, no more: a pause
 * cuts no node off (every node loses Redis at once, and the subscription, a connection of
 * its own, delivers what is published meanwhile). An eviction or write that cannot reach
 * Redis is remembered and replayed when Redis answers again, so until then other nodes
 * (and the store) may hold what it replaced. The replay is due when the circuit breaker
 * lets its trial through ({@code retry-interval} after it opened), at the next heartbeat,
 * its commands answered within the command timeout and its invalidation acknowledged
 * within {@code invalidation-timeout}: the outage window recorded for the checker ends
 * that long after Redis answered the administrator again. A read invoked after it, or
 * made stale by a write that did not overlap the pause, is a violation. A node restart
 * excuses nothing: it is recorded for context only. A command that fails with no fault
 * injected (it timed out on a stalled machine) is a remote failure all the same, and
 * {@link RemoteErrors} records it as one: the report lists such errors.
 *
 * <p>
 * {@code -Dtiercache.history.seed=N} replays a seed's choices (the seed is printed first
 * and named in every failure); {@code -Dtiercache.history.seconds=300} runs longer than
 * the default 20 seconds of operations; {@code -Dtiercache.history.listed=1000} lists
 * more than 8 violations of each invariant. A failed run writes its whole history to
 * {@code target/history-<seed>.txt}.
 */
class RedisHistoryTests {

	private static final String CACHE = "books";

	private static final int NODES = 3;

	private static final TierCacheConfiguration CONFIGURATION = RedisNodes.BOOKS;

	private static final RedisTierSettings SETTINGS = RedisNodes.SETTINGS;

	/** {@code TestRedis}' command timeout ({@code spring.data.redis.timeout}). */
	private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(500);

	/** From Redis answering again until the pending evictions are replayed. */
	private static final Duration REPLAYED = SETTINGS.retryInterval()
		.plus(SETTINGS.heartbeatInterval())
		.plus(COMMAND_TIMEOUT)
		.plus(SETTINGS.invalidationTimeout());

	private final HistoryRun run = new HistoryRun("RedisHistoryTests");

	private final History history = this.run.history();

	private final RedisNodes redis = new RedisNodes();

	private final List<Node> started = new CopyOnWriteArrayList<>();

	private final List<Workload.Node> live = new CopyOnWriteArrayList<>();

	private final List<String> faults = new CopyOnWriteArrayList<>();

	private int nextIndex = 1;

	@AfterEach
	void closeNodes() {
		this.started.forEach(Node::close);
		this.redis.close();
	}

	@Test
	void randomOperationsWithRedisPausesAndNodeRestartsKeepEveryInvariant() throws Exception {
		this.run.run(this::run);
	}

	private void run() throws Exception {
		for (int i = 0; i < NODES; i++) {
			this.live.add(start().workloadNode());
		}
		Database database = new Database(IntStream.range(0, 12).mapToObj((i) -> "key-" + i).toList(), this.history,
				Duration.ofMillis(20));
		Workload workload = new Workload(this.run.seed(), 6, database, this.history, () -> this.live);
		long began = System.nanoTime();
		RemoteErrors errors = new RemoteErrors(this.history, this::caches, COMMAND_TIMEOUT, REPLAYED);
		workload.start();
		List<String> stuck;
		try {
			injectFaults(began + TimeUnit.SECONDS.toNanos(this.run.seconds()));
		}
		finally {
			stuck = workload.stop(Duration.ofSeconds(30));
			errors.close();
		}
		assertThat(stuck).as("seed %d: clients stuck in an operation", this.run.seed()).isEmpty();
		this.run.check(CONFIGURATION.getHotTtl(), began, () -> "\n  faults: " + this.faults
				+ "\n  remote errors no fault explains: " + errors.unprovoked() + "\n  nodes: " + stats());
	}

	/**
	 * Until {@code deadline}: wait 1 to 3 s, then the next fault of a seeded cycle of two
	 * pauses and a restart.
	 */
	private void injectFaults(long deadline) throws Exception {
		Random random = new Random(this.run.seed());
		List<Fault> cycle = new ArrayList<>(List.of(Fault.PAUSE, Fault.PAUSE, Fault.RESTART));
		for (int round = 0; System.nanoTime() < deadline; round++) {
			if (round % cycle.size() == 0) {
				Collections.shuffle(cycle, random);
			}
			long wait = TimeUnit.MILLISECONDS.toNanos(1000 + random.nextInt(2000));
			if (System.nanoTime() + wait >= deadline) {
				sleepUntil(deadline);
				return;
			}
			sleepUntil(System.nanoTime() + wait);
			switch (cycle.get(round % cycle.size())) {
				case PAUSE -> pause(random);
				case RESTART -> restart(random);
			}
		}
	}

	/**
	 * Redis answers no client but the administrator for 300 to 800 ms.
	 */
	private void pause(Random random) {
		long millis = 300 + random.nextInt(501);
		long began = System.nanoTime();
		this.redis.pause(Duration.ofMillis(millis), "ALL");
		sleepUntilQuietly(began + TimeUnit.MILLISECONDS.toNanos(millis));
		this.redis.awaitAnswering();
		long answered = System.nanoTime();
		this.history.outage("Redis paused " + millis + " ms", began, answered + REPLAYED.toNanos());
		this.faults.add(String.format("Redis paused %d ms (answered after %.1f ms)", millis, (answered - began) / 1e6));
	}

	/**
	 * A node's application restarts: no new requests, the running ones finish, its
	 * manager closes; a new node starts.
	 */
	private void restart(Random random) {
		List<Workload.Node> nodes = new ArrayList<>(this.live);
		Workload.Node leaving = nodes.get(random.nextInt(nodes.size()));
		Node node = this.started.stream().filter((n) -> n.workloadNode() == leaving).findFirst().orElseThrow();
		long began = System.nanoTime();
		this.live.remove(leaving);
		leaving.retire(Duration.ofSeconds(30));
		node.close();
		Node next = start();
		this.live.add(next.workloadNode());
		this.history.event(node.name() + " restarted as " + next.name(), began, System.nanoTime());
		this.faults.add(node.name() + " restarted as " + next.name());
	}

	private Node start() {
		String name = "node-" + this.nextIndex++;
		LettuceConnectionFactory connections = this.redis.connectionFactory();
		RedisRemoteTier tier = RedisRemoteTier.start(connections, ValueCodec.java(AllowList.of(List.of())), SETTINGS,
				() -> name);
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration(CACHE, CONFIGURATION)
			.remoteTier(tier)
			.build();
		TierCache cache = manager.getCache(CACHE);
		Node node = new Node(name, manager, cache, new Workload.Node(name, cache));
		this.started.add(node);
		return node;
	}

	private Map<String, TierCache> caches() {
		Map<String, TierCache> caches = new LinkedHashMap<>();
		this.started.forEach((node) -> caches.put(node.name(), node.cache()));
		return caches;
	}

	private String stats() {
		return this.started.stream()
			.map((node) -> node.name() + " loads=" + node.cache().getStats().count(Counter.LOADS) + " redisErrors="
					+ node.cache().getStats().count(Counter.REDIS_ERRORS) + " leaseWaits="
					+ node.cache().getStats().count(Counter.LEASE_WAITS))
			.collect(Collectors.joining(", "));
	}

	private static void sleepUntilQuietly(long deadline) {
		try {
			sleepUntil(deadline);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private enum Fault {

		PAUSE, RESTART

	}

	private record Node(String name, TierCacheManager manager, TierCache cache, Workload.Node workloadNode) {

		void close() {
			this.manager.close();
		}

	}

}
