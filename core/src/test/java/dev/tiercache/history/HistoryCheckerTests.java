package dev.tiercache.history;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.tiercache.history.History.Kind;
import dev.tiercache.history.History.Load;
import dev.tiercache.history.History.Operation;
import dev.tiercache.history.HistoryChecker.Violation;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static dev.tiercache.history.HistoryChecker.FAILED;
import static dev.tiercache.history.HistoryChecker.ONE_LOAD;
import static dev.tiercache.history.HistoryChecker.RESURRECTED;
import static dev.tiercache.history.HistoryChecker.STALE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hand-made histories: what the checker must flag, and what a correct cache may do that
 * it must accept (a read concurrent with a write returns either value).
 */
class HistoryCheckerTests {

	private static final Duration HOT_TTL = Duration.ofMillis(100);

	private final History history = new History();

	@Test
	void aReadConcurrentWithAnEvictMayReturnTheOldValue() {
		Load load = load("a", 0, 0, 2);
		write(Kind.EVICT, "a", 1, 10, 20);
		read("a", 15, 25, load.id());
		assertThat(invariants()).isEmpty();
	}

	@Test
	void aReadThatBeginsAfterAnEvictAndReturnsTheOldLoadIsStaleAndResurrected() {
		Load load = load("a", 0, 0, 2);
		write(Kind.EVICT, "a", 1, 10, 20);
		read("a", 30, 40, load.id());
		assertThat(invariants()).containsExactlyInAnyOrder(STALE, RESURRECTED);
	}

	@Test
	void aLoadThatStartedAfterTheEvictBeganMayFillTheCacheAgain() {
		write(Kind.EVICT, "a", 1, 10, 20);
		Load reload = load("a", 1, 15, 18);
		read("a", 30, 40, reload.id());
		assertThat(invariants()).isEmpty();
	}

	@Test
	void aPutThatCompletedBeforeAnotherPutBeganIsStaleOnceThatOneCompletes() {
		Operation first = write(Kind.PUT, "a", 1, 0, 5);
		write(Kind.PUT, "a", 2, 10, 20);
		read("a", 30, 40, first.id());
		assertThat(invariants()).containsExactly(STALE);
	}

	@Test
	void overlappingPutsMayLandInEitherOrder() {
		Operation first = write(Kind.PUT, "a", 1, 0, 15);
		write(Kind.PUT, "a", 2, 10, 20);
		read("a", 30, 40, first.id());
		assertThat(invariants()).isEmpty();
	}

	@Test
	void aLoadThatReadTheDatabaseBeforeAPutIsStaleAfterIt() {
		Load load = load("a", 0, 5, 25);
		write(Kind.PUT, "a", 1, 10, 20);
		read("a", 30, 40, load.id());
		assertThat(invariants()).containsExactly(STALE);
	}

	@Test
	void aPutUnderWayWhenAnEvictBeganMayLandAfterIt() {
		Operation put = write(Kind.PUT, "a", 1, 0, 15);
		write(Kind.EVICT, "a", 2, 10, 20);
		read("a", 30, 40, put.id());
		assertThat(invariants()).isEmpty();
	}

	@Test
	void aValueThatSurvivesAClearComesBackEvenIfNoVersionChanged() {
		Load load = load("b", 0, 0, 2);
		this.history.record(new Operation(this.history.nextId(), "n1", Kind.CLEAR, "a", ms(10), ms(20), 1,
				Map.of("a", 1L, "b", 0L), null, null));
		read("b", 30, 40, load.id());
		assertThat(invariants()).containsExactly(RESURRECTED);
	}

	@Test
	void twoLoadsWithNoWriteBetweenThemAreOneTooMany() {
		load("a", 0, 0, 2);
		load("a", 0, 10, 12);
		assertThat(invariants()).containsExactly(ONE_LOAD);
	}

	@Test
	void aWriteOrAMembershipChangeBetweenTwoLoadsAllowsTheSecond() {
		load("a", 0, 0, 2);
		write(Kind.EVICT, "a", 1, 5, 6);
		load("a", 1, 10, 12);
		this.history.unstable("member-3 joined", ms(20), ms(30));
		load("a", 1, 25, 27);
		assertThat(invariants()).isEmpty();
	}

	@Test
	void aWriteSinceTheEarlierCallExplainsTwoOverlappingLoads() {
		// The second caller asked first and got a lease that a clear then cancelled; it
		// still loads, and the first caller, asking after the clear, loads too.
		Operation early = loadGet("a", 0, 12);
		Operation late = loadGet("a", 10, 13);
		this.history.record(new Operation(this.history.nextId(), "n2", Kind.CLEAR, "b", ms(5), ms(8), 1,
				Map.of("a", 0L, "b", 1L), null, null));
		this.history.record(new Load(this.history.nextId(), late.id(), "n1", "a", ms(10), ms(11), 0));
		this.history.record(new Load(this.history.nextId(), early.id(), "n2", "a", ms(11), ms(12), 0));
		assertThat(invariants()).isEmpty();
	}

	@Test
	void aPutIfAbsentThatFoundAValueStoredNothing() {
		Load load = load("a", 0, 0, 2);
		write(Kind.EVICT, "a", 1, 10, 20);
		this.history.record(new Operation(this.history.nextId(), "n1", Kind.PUT_IF_ABSENT, "a", ms(25), ms(35), 1,
				Map.of(), value("a", load.id()), null));
		assertThat(invariants()).containsExactlyInAnyOrder(STALE, RESURRECTED);
	}

	@Test
	void aFailedOperationIsReported() {
		this.history.record(new Operation(this.history.nextId(), "n1", Kind.GET, "a", ms(0), ms(1), 0, Map.of(), null,
				new IllegalStateException("boom")));
		assertThat(invariants()).containsExactly(FAILED);
	}

	@Test
	void aCutOffMemberMayServeAStaleValueForAtMostHotTtl() {
		Load load = load("a", 0, 0, 2);
		this.history.cutOff("n2", ms(5), ms(300));
		write(Kind.EVICT, "a", 1, 10, 20);
		read("a", 60, 70, load.id(), "n2");
		assertThat(invariants()).isEmpty();
		read("a", 200, 210, load.id(), "n2");
		assertThat(invariants()).containsExactly(STALE);
	}

	@Test
	void aCutOffMemberIsNotExcusedForWritesThatCompletedBeforeTheCut() {
		Load load = load("a", 0, 0, 2);
		write(Kind.EVICT, "a", 1, 10, 20);
		this.history.cutOff("n2", ms(25), ms(300));
		read("a", 30, 40, load.id(), "n2");
		assertThat(invariants()).containsExactlyInAnyOrder(STALE, RESURRECTED);
	}

	@Test
	void writesOnACutOffMemberBoundNothing() {
		Load load = load("a", 0, 0, 2);
		this.history.cutOff("n2", ms(5), ms(300));
		write(Kind.EVICT, "a", 1, 10, 20, "n2");
		read("a", 30, 40, load.id());
		assertThat(invariants()).isEmpty();
	}

	private List<String> invariants() {
		return HistoryChecker.check(this.history, HOT_TTL).violations().stream().map(Violation::invariant).toList();
	}

	private Load load(String key, long version, long started, long completed) {
		Load load = new Load(this.history.nextId(), 0, "n1", key, ms(started), ms(completed), version);
		this.history.record(load);
		return load;
	}

	private Operation loadGet(String key, long invoked, long completed) {
		Operation operation = new Operation(this.history.nextId(), "n1", Kind.LOAD_GET, key, ms(invoked), ms(completed),
				0, Map.of(), null, null);
		this.history.record(operation);
		return operation;
	}

	private Operation write(Kind kind, String key, long version, long invoked, long completed) {
		return write(kind, key, version, invoked, completed, "n1");
	}

	private Operation write(Kind kind, String key, long version, long invoked, long completed, String node) {
		Operation write = new Operation(this.history.nextId(), node, kind, key, ms(invoked), ms(completed), version,
				Map.of(), null, null);
		this.history.record(write);
		return write;
	}

	private void read(String key, long invoked, long completed, long origin) {
		read(key, invoked, completed, origin, "n1");
	}

	private void read(String key, long invoked, long completed, long origin, String node) {
		this.history.record(new Operation(this.history.nextId(), node, Kind.GET, key, ms(invoked), ms(completed), 0,
				Map.of(), value(key, origin), null));
	}

	private @Nullable String value(String key, long origin) {
		Load load = this.history.loads().stream().filter((l) -> l.id() == origin).findFirst().orElse(null);
		long version = (load != null) ? load.version()
				: this.history.operations()
					.stream()
					.filter((o) -> o.id() == origin)
					.findFirst()
					.orElseThrow()
					.version();
		return History.value(key, version, origin);
	}

	private static long ms(long millis) {
		return 1_000_000_000L + millis * 1_000_000L;
	}

}
