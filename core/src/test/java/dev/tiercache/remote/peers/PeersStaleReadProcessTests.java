package dev.tiercache.remote.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import dev.tiercache.TestRedis;
import dev.tiercache.history.StaleReads;
import dev.tiercache.history.StaleReads.Stale;
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
 * The measurement of issue 13, with real processes and real failures: three application
 * JVMs in peers mode ({@link StaleReadNodeMain}: one {@code TierCacheManager} each, cache
 * {@code books}, hot tier on, {@code hot-ttl} 5 s, {@code rpc-timeout} 250 ms) share one
 * database that lives outside them, a real {@code redis-server} ({@link TestRedis}) used
 * as the source of truth and never as a cache. Each process runs readers
 * ({@code get(id, loader)}, the loader {@code GET}s {@code book:<id>}, a version) and
 * writers ({@code INCR book:<id>}, then {@code evict(id)}) over 50 keys and records every
 * operation (readers pause up to 4 ms between operations, writers up to 40 ms); the test
 * merges the three histories and finds every read that returned a version older than a
 * write that completed before the read began ({@link StaleReads}). Three scenarios: no
 * fault, {@code kill -9} of one process midway (its clients stop, the others go on), and
 * {@code kill -STOP} of one process for 8 s, then {@code kill -CONT}.
 *
 * <p>
 * The processes' times are {@code System.nanoTime()}, compared across processes. That
 * holds on one Linux host: HotSpot reads {@code CLOCK_MONOTONIC} there, one clock for the
 * whole host (its origin is the boot, not the process), so the times of different
 * processes on one host are comparable. The test assumes it runs on one Linux host.
 *
 * <p>
 * By default each scenario runs 8 s of operations with 4 readers and 1 writer per
 * process; the measurement is {@code -Dtiercache.staleness.seconds=40
 * -Dtiercache.staleness.readers=12 -Dtiercache.staleness.writers=2}, and
 * {@code -Dtiercache.staleness.pause=12} stops the process for longer than failure
 * detection takes to remove it from the view. The numbers are printed and appended to
 * {@code target/staleness/summary.txt}; each process's history and log are in
 * {@code target/staleness/}.
 */
class PeersStaleReadProcessTests {

	private static final int KEYS = 50;

	private static final Duration HOT_TTL = Duration.ofSeconds(5);

	private static final Duration RPC_TIMEOUT = Duration.ofMillis(250);

	private static final Path DIRECTORY = Path.of("target", "staleness");

	private static TestRedis redis;

	private final long seconds = Long.getLong("tiercache.staleness.seconds", 8);

	private final int readers = Integer.getInteger("tiercache.staleness.readers", 4);

	private final int writers = Integer.getInteger("tiercache.staleness.writers", 1);

	private final Duration pause = Duration.ofSeconds(Long.getLong("tiercache.staleness.pause", 8));

	private final List<StaleReadProcess> nodes = new ArrayList<>();

	@BeforeAll
	static void startDatabase() {
		redis = TestRedis.start();
	}

	@AfterAll
	static void stopDatabase() {
		redis.close();
	}

	@AfterEach
	void killNodes() {
		this.nodes.forEach(StaleReadProcess::kill);
	}

	@Test
	void withoutFaultsNoReadIsStaleAndNoneFails() throws Exception {
		StaleReadRun run = run("no-fault", Fault.NONE);
		run.print("no faults", settings());
		assertThat(run.failed()).as("failed requests").isEmpty();
		// This assertion once failed in the 40 s run with 12 readers and 2 writers (36
		// stale reads on one member, up to 575 ms stale): an owner starved of CPU
		// answered an evict later than rpc-timeout and served the old value until it
		// applied it. Members now read such a key from no other member until the owner
		// confirms the write (UnconfirmedWrites; PeersWriteTests forces the case).
		assertThat(run.stale()).withFailMessage(() -> "stale reads:\n" + String.join("\n", run.incidents())).isEmpty();
		assertThat(run.checked()).as("other invariants").isEmpty();
	}

	@Test
	void killOfOneProcessMakesNoReadStaleAndFailsNone() throws Exception {
		StaleReadRun run = run("kill", Fault.KILL);
		run.print(String.format("kill -9 of %s at %.1f s", run.victim(), run.seconds(run.faultAt)), settings());
		assertThat(run.failed()).as("failed requests").isEmpty();
		assertThat(run.stale()).withFailMessage(() -> "stale reads:\n" + String.join("\n", run.incidents())).isEmpty();
		assertThat(run.checked()).as("other invariants").isEmpty();
	}

	/**
	 * While a member is stopped it serves nothing: the others' requests to it time out
	 * and they load locally, into hot; a write of one of its keys reaches every live
	 * member but not it. When it resumes, the writes it missed are still in its sockets,
	 * and until it has read them its main may hold old versions (and, until its clock's
	 * thread runs, its hot copies look younger than they are): its own readers, and other
	 * members that fetch its keys from it, may read them. Nothing else may be stale (no
	 * read may miss a write begun after the member resumed), and nothing later than
	 * {@code hot-ttl} after the member resumed.
	 *
	 * <p>
	 * KNOWN VIOLATION, found by this test and not fixed: if the pause outlasts failure
	 * detection ({@code FD_ALL3}, 8 s; an 8 s pause did not reach it in our runs,
	 * {@code -Dtiercache.staleness.pause=12} does), the others remove the member, and
	 * once it resumes it serves from tiers that nobody invalidates until the views merge,
	 * seconds later: the assertion on stale reads below then fails.
	 */
	@Test
	void stoppedProcessMakesOnlyItsOwnKeysStaleAndOnlyWithinHotTtlOfResuming() throws Exception {
		StaleReadRun run = run("stop", Fault.STOP);
		Map<StaleReadRun.Where, Measured> measured = new EnumMap<>(StaleReadRun.Where.class);
		List<String> unexpected = new ArrayList<>();
		for (Stale stale : run.stale()) {
			StaleReadRun.Where where = run.where(stale);
			long afterResume = run.afterResume(stale);
			measured.computeIfAbsent(where, Measured::new).add(stale, afterResume);
			if (where == StaleReadRun.Where.ELSEWHERE || afterResume > HOT_TTL.toNanos()
					|| stale.nanos() > this.pause.plus(HOT_TTL).toNanos()) {
				unexpected.add(run.describe(stale)
						+ String.format("%n      begun %.1f ms after the stopped member resumed", afterResume / 1e6));
			}
		}
		run.print(String.format("kill -STOP of %s at %.1f s, kill -CONT %.1f s later; view of %s: %s; stale reads: %s",
				run.victim(), run.seconds(run.faultAt), (run.resumedAt - run.faultAt) / 1e9, this.nodes.get(0).name(),
				run.views, measured.values()), settings());
		assertThat(run.failed()).as("failed requests").isEmpty();
		// A violation here is a stale read where none may be: on a member that was not
		// stopped, of a key the stopped member did not own, of a write begun after it
		// resumed, or later than hot-ttl after it resumed. Each entry names the read, the
		// load that made its value and the write it missed.
		assertThat(unexpected)
			.as("stale reads beyond the stopped member's keys or hot-ttl (views of %s: %s)", this.nodes.get(0).name(),
					run.views)
			.isEmpty();
	}

	private String settings() {
		return String.format("%d s, %d readers + %d writers per process, hot-ttl %d s, rpc-timeout %d ms", this.seconds,
				this.readers, this.writers, HOT_TTL.toSeconds(), RPC_TIMEOUT.toMillis());
	}

	private StaleReadRun run(String scenario, Fault fault) throws Exception {
		Files.createDirectories(DIRECTORY);
		flushDatabase();
		int basePort = PeersCluster.freePortRange(6);
		for (int index = 1; index <= 3; index++) {
			this.nodes.add(StaleReadProcess.start(DIRECTORY, scenario, "member-" + index,
					List.of("stale-" + scenario, Integer.toString(basePort), Integer.toString(index), "3",
							Integer.toString(redis.port()), Integer.toString(KEYS), Long.toString(HOT_TTL.toMillis()),
							Long.toString(RPC_TIMEOUT.toMillis()))));
		}
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> this.nodes.stream().allMatch((node) -> "3".equals(node.ask("members"))));
		String owners = this.nodes.get(0).ask("owners");
		this.nodes.forEach((node) -> assertThat(node.ask("owners")).as("owners").isEqualTo(owners));
		StaleReadProcess victim = this.nodes.get(2);
		StaleReadRun run = new StaleReadRun(scenario, victim.name(), Arrays.asList(owners.split(",")), HOT_TTL,
				DIRECTORY);
		this.nodes.forEach((node) -> assertThat(node.ask("run " + this.readers + " " + this.writers)).isEqualTo("ok"));
		run.began = System.nanoTime();
		long end = run.began + TimeUnit.SECONDS.toNanos(this.seconds);
		List<StaleReadProcess> survivors = this.nodes.subList(0, 2);
		switch (fault) {
			case NONE -> sleepUntil(end);
			case KILL -> {
				sleepUntil(run.began + TimeUnit.SECONDS.toNanos(this.seconds) / 2);
				run.faultAt = System.nanoTime();
				victim.kill();
				await().atMost(Duration.ofSeconds(30))
					.pollInterval(Duration.ofMillis(20))
					.until(() -> survivors.stream().allMatch((node) -> "2".equals(node.ask("members"))));
				run.history.unstable(victim.name() + " killed", run.faultAt, System.nanoTime());
				sleepUntil(end);
			}
			case STOP -> {
				sleepUntil(run.began + TimeUnit.SECONDS.toNanos(this.seconds) * 2 / 5);
				AtomicBoolean watching = new AtomicBoolean(true);
				run.faultAt = System.nanoTime();
				Thread views = watchViews(this.nodes.get(0), run, watching);
				victim.signal("STOP");
				sleepUntil(run.faultAt + this.pause.toNanos());
				// Before the signal: the process cannot run again before it is sent.
				run.resumedAt = System.nanoTime();
				victim.signal("CONT");
				sleepUntil(Math.max(end, run.resumedAt + HOT_TTL.toNanos() + TimeUnit.SECONDS.toNanos(1)));
				// If the others removed it, go on until the views have merged, and a
				// second.
				await().atMost(Duration.ofSeconds(60))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> this.nodes.stream().allMatch((node) -> "3".equals(node.ask("members"))));
				sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
				watching.set(false);
				views.join();
			}
		}
		List<StaleReadProcess> live = (fault == Fault.KILL) ? survivors : this.nodes;
		for (StaleReadProcess node : live) {
			String[] stopped = node.ask("stop").split(" ");
			assertThat(stopped[3]).as("clients of %s stuck in an operation", node.name()).isEqualTo("0");
			run.stats.add(node.name() + " " + node.ask("stats"));
		}
		run.ended = System.nanoTime();
		for (StaleReadProcess node : this.nodes) {
			run.read(node.history());
		}
		return run;
	}

	/**
	 * Ask {@code node} for its view every 100 ms until {@code watching} is cleared, and
	 * note each change with its time relative to the fault.
	 */
	private static Thread watchViews(StaleReadProcess node, StaleReadRun run, AtomicBoolean watching) {
		Thread watcher = new Thread(() -> {
			String last = null;
			while (watching.get()) {
				String view = node.ask("view");
				if (!view.equals(last)) {
					run.views.add(String.format("%+.1fs %s", (System.nanoTime() - run.faultAt) / 1e9, view));
					last = view;
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
			}
		}, "view-watcher");
		watcher.start();
		return watcher;
	}

	private static void flushDatabase() {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().flushall();
		}
		finally {
			client.shutdown();
		}
	}

	private static void sleepUntil(long deadline) throws InterruptedException {
		long remaining;
		while ((remaining = deadline - System.nanoTime()) > 0) {
			TimeUnit.NANOSECONDS.sleep(remaining);
		}
	}

	private enum Fault {

		NONE, KILL, STOP

	}

	/**
	 * How many stale reads happened in one place, how stale they were, and how long after
	 * the stopped member resumed they began.
	 */
	private static final class Measured {

		private final StaleReadRun.Where where;

		private long count;

		private long staleNanos;

		private long afterResumeNanos = Long.MIN_VALUE;

		Measured(StaleReadRun.Where where) {
			this.where = where;
		}

		void add(Stale stale, long afterResume) {
			this.count++;
			this.staleNanos = Math.max(this.staleNanos, stale.nanos());
			this.afterResumeNanos = Math.max(this.afterResumeNanos, afterResume);
		}

		@Override
		public String toString() {
			return String.format("%d %s (stale for at most %.1f ms, the last begun %.1f ms after it resumed)",
					this.count, this.where.description, this.staleNanos / 1e6, this.afterResumeNanos / 1e6);
		}

	}

}
