package dev.tiercache.remote.peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.history.Database;
import dev.tiercache.history.History;
import dev.tiercache.history.HistoryChecker;
import dev.tiercache.history.HistoryRun;
import dev.tiercache.history.Workload;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.stats.Counter;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.tiercache.history.HistoryRun.sleepUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A seeded, randomized history of peers mode: four members in this JVM on loopback,
 * client threads calling random operations on random members over a dozen keys backed by
 * a test-owned {@link Database}, while members leave gracefully, crash (cut off by
 * JGroups {@code DISCARD} and the fetch transport's closing, then closed) and join, and
 * transport delays ({@link DelayMessages}) come and go. {@link HistoryChecker} then
 * checks every invariant of the design over the recorded operations at once.
 *
 * <p>
 * {@code -Dtiercache.history.seed=N} replays a seed's choices (the seed is printed first
 * and named in every failure); {@code -Dtiercache.history.seconds=300} runs longer than
 * the default 20 seconds of operations; {@code -Dtiercache.history.listed=1000} lists
 * more than 8 violations of each invariant. A failed run writes its whole history to
 * {@code target/history-<seed>.txt}.
 */
class PeersHistoryTests {

	private static final String CACHE = "books";

	private static final int MEMBERS = 4;

	private static final int PORTS = 12;

	private static final Duration HOT_TTL = Duration.ofSeconds(5);

	private static final Duration RPC_TIMEOUT = Duration.ofSeconds(1);

	private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(3);

	/** How long after the views agree that entries may still be moving. */
	private static final Duration SETTLE = Duration.ofSeconds(1);

	private final HistoryRun run = new HistoryRun("PeersHistoryTests");

	private final long seed = this.run.seed();

	private final List<Member> started = new CopyOnWriteArrayList<>();

	private final List<Workload.Node> live = new CopyOnWriteArrayList<>();

	private final History history = this.run.history();

	private final List<String> delays = new CopyOnWriteArrayList<>();

	private final String cluster = "history-" + Long.toHexString(this.seed);

	private final int basePort = PeersCluster.freePortRange(PORTS + 1);

	private int nextIndex = 1;

	/** Dumps every thread when the live members' views disagree for over 2 s. */
	private final ViewWatchdog watchdog = new ViewWatchdog(this::liveTiers, Path.of("target"),
			"view-stall-" + this.seed, 2000);

	@AfterEach
	void closeMembers() {
		this.watchdog.close();
		this.started.forEach((member) -> member.manager().close());
	}

	private Map<String, PeersRemoteTier> liveTiers() {
		Set<String> names = this.live.stream().map(Workload.Node::name).collect(Collectors.toSet());
		Map<String, PeersRemoteTier> tiers = new LinkedHashMap<>();
		this.started.stream()
			.filter((member) -> names.contains(member.name()))
			.forEach((member) -> tiers.put(member.name(), member.tier()));
		return tiers;
	}

	@Test
	void randomOperationsWithMembersLeavingCrashingAndJoiningKeepEveryInvariant() throws Exception {
		this.run.run(this::run);
	}

	private void run() throws Exception {
		for (int i = 0; i < MEMBERS; i++) {
			this.live.add(start().node());
		}
		awaitSettled();
		Database database = new Database(IntStream.range(0, 12).mapToObj((i) -> "key-" + i).toList(), this.history,
				Duration.ofMillis(20));
		Workload workload = new Workload(this.seed, 8, database, this.history, () -> this.live);
		long began = System.nanoTime();
		workload.start();
		List<String> stuck;
		try {
			injectFaults(began + TimeUnit.SECONDS.toNanos(this.run.seconds()));
		}
		finally {
			stuck = workload.stop(Duration.ofSeconds(30));
		}
		assertThat(stuck).as("seed %d: clients stuck in an operation", this.seed).isEmpty();
		this.run.check(HOT_TTL, began, () -> "\n  delays: " + this.delays + "\n  members: " + stats());
		// No fault leaves a thread behind to take the CPU of the tests that run next.
		await().atMost(Duration.ofSeconds(10)).until(() -> !DelayMessages.anyThreadAlive());
	}

	/**
	 * Until {@code deadline}: pause, then the next fault of a seeded cycle of delay,
	 * leave-and-join and crash-and-join.
	 */
	private void injectFaults(long deadline) throws Exception {
		Random random = new Random(this.seed);
		List<Fault> cycle = new ArrayList<>(List.of(Fault.values()));
		for (int round = 0; System.nanoTime() < deadline; round++) {
			if (round % cycle.size() == 0) {
				Collections.shuffle(cycle, random);
			}
			long pause = TimeUnit.MILLISECONDS.toNanos(1000 + random.nextInt(2000));
			if (System.nanoTime() + pause >= deadline) {
				sleepUntil(deadline);
				return;
			}
			sleepUntil(System.nanoTime() + pause);
			switch (cycle.get(round % cycle.size())) {
				case DELAY -> delay(random);
				case LEAVE -> leaveAndJoin(random);
				case CRASH -> crashAndJoin(random);
			}
		}
	}

	/**
	 * Slow one member's transport for a while: outgoing messages by up to a few
	 * milliseconds each (reordering them), incoming by up to one.
	 */
	private void delay(Random random) throws Exception {
		Member member = pick(random);
		int outDelay = 2 + random.nextInt(8);
		DelayMessages delay = new DelayMessages(1, outDelay, member.name());
		ProtocolStack stack = member.tier().channel().getProtocolStack();
		// Linked below before the protocol above links to it: a message sent meanwhile
		// must find its way down.
		delay.setDownProtocol(stack.getTransport());
		stack.insertProtocol(delay, ProtocolStack.Position.ABOVE, TP.class);
		long began = System.nanoTime();
		sleepUntil(began + TimeUnit.MILLISECONDS.toNanos(1000 + random.nextInt(2000)));
		// Left in place, passing everything through: taking a protocol out of a live
		// stack races its receiving threads.
		delay.end();
		this.delays.add(String.format("%s delayed (in <= 1 ms, out <= %d ms) for %.1f s", member.name(), outDelay,
				(System.nanoTime() - began) / 1e9));
	}

	/**
	 * A member leaves gracefully, as a closing Spring context does: no new requests, the
	 * running ones finish, it hands its entries off and leaves; then a new one joins.
	 */
	private void leaveAndJoin(Random random) {
		Member leaving = pick(random);
		long began = System.nanoTime();
		this.live.remove(leaving.node());
		leaving.node().retire(Duration.ofSeconds(30));
		leaving.tier().stop();
		leaving.manager().close();
		long closed = System.nanoTime();
		awaitSettled();
		long left = System.nanoTime();
		Member joined = start();
		long started = System.nanoTime();
		this.live.add(joined.node());
		long settled = awaitSettled();
		phases(leaving.name() + " left", began, closed, left, joined.name(), started, System.nanoTime());
		this.history.unstable(leaving.name() + " left, " + joined.name() + " joined", began, settled);
	}

	/**
	 * A member is cut off from the others (its requests and invalidations are lost, its
	 * clients keep calling it), then dies without handing anything off; a new one joins.
	 */
	private void crashAndJoin(Random random) throws Exception {
		Member victim = pick(random);
		DISCARD discard = new DISCARD().discardAll(true);
		long cut = System.nanoTime();
		victim.tier().channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
		// The network is cut for the fetch transport too: reads to and from the victim go
		// through JGroups, which drops them.
		FetchTransport fetchTransport = victim.tier().fetchTransport();
		if (fetchTransport != null) {
			fetchTransport.close();
		}
		sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(1200)));
		this.live.remove(victim.node());
		victim.node().retire(Duration.ofSeconds(30));
		victim.manager().close();
		long closed = System.nanoTime();
		this.history.cutOff(victim.name(), cut, closed);
		awaitSettled();
		long left = System.nanoTime();
		Member joined = start();
		long started = System.nanoTime();
		this.live.add(joined.node());
		long settled = awaitSettled();
		phases(victim.name() + " crashed", cut, closed, left, joined.name(), started, System.nanoTime());
		this.history.unstable(victim.name() + " crashed, " + joined.name() + " joined", cut, settled);
	}

	/**
	 * Print how long each phase of a leave or crash and join took, for diagnosis.
	 */
	private void phases(String what, long began, long closed, long left, String joined, long started, long settled) {
		System.out.printf(
				"phases: %s: closed %.0f ms, others saw it go %.0f ms later, %s joined in %.0f ms, "
						+ "views agreed %.0f ms later%n",
				what, (closed - began) / 1e6, (left - closed) / 1e6, joined, (started - left) / 1e6,
				(settled - started) / 1e6);
	}

	private Member pick(Random random) {
		List<Workload.Node> nodes = new ArrayList<>(this.live);
		Workload.Node node = nodes.get(random.nextInt(nodes.size()));
		return this.started.stream().filter((member) -> member.node() == node).findFirst().orElseThrow();
	}

	/**
	 * Start a new member whose cache exists before it joins, as in a Spring context.
	 */
	private Member start() {
		String name = "member-" + this.nextIndex++;
		PeersRemoteTier tier = PeersCluster.member(new PeersSettings(this.cluster, name, "127.0.0.1", this.basePort,
				PORTS, Discovery.LOOPBACK, List.of(), null, null, null, RPC_TIMEOUT, LEASE_TIMEOUT));
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration(CACHE, TierCacheConfiguration.defaultCacheConfig().withHotTtl(HOT_TTL))
			.remoteTier(tier)
			.build();
		TierCache cache = manager.getCache(CACHE);
		Member member = new Member(name, tier, manager, cache, new Workload.Node(name, cache));
		this.started.add(member);
		tier.start();
		this.watchdog.started(name, tier);
		return member;
	}

	/**
	 * Wait until every live member sees exactly the live members.
	 * @return when entries may be taken to have moved: the views agreed, plus a margin
	 */
	private long awaitSettled() {
		Set<String> names = this.live.stream().map(Workload.Node::name).collect(Collectors.toSet());
		List<Member> members = this.started.stream().filter((member) -> names.contains(member.name())).toList();
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> members.stream()
				.allMatch((member) -> names.equals(member.tier()
					.view()
					.members()
					.stream()
					.map(ClusterView.Member::name)
					.collect(Collectors.toSet()))));
		return System.nanoTime() + SETTLE.toNanos();
	}

	private String stats() {
		return this.started.stream()
			.map((member) -> member.name() + " loads=" + member.cache().getStats().count(Counter.LOADS) + " peerErrors="
					+ member.cache().getStats().count(Counter.PEER_ERRORS) + " handoff="
					+ member.cache().getStats().count(Counter.HANDOFF_ENTRIES))
			.collect(Collectors.joining(", "));
	}

	private enum Fault {

		DELAY, LEAVE, CRASH

	}

	private record Member(String name, PeersRemoteTier tier, TierCacheManager manager, TierCache cache,
			Workload.Node node) {
	}

}
