package dev.tiercache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.Cache.ValueWrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Refresh-ahead ({@code refresh-after}) in every mode, on the fixture's fake clock (which
 * the Redis fixtures move in Redis too): a read with a loader of an entry older than
 * {@code refresh-after} never waits for the loader, the reload is single-flight in the
 * whole cluster, a key nobody reads still expires at {@code ttl}, a failed refresh keeps
 * the old value, and a write or an eviction that overtakes a refresh wins over it. Each
 * loader that a test must see running blocks on a latch, so that "the refresh is under
 * way" is a state the test holds, not a timing it hopes for.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("modes")
class RefreshAheadTests {

	private static final Duration TTL = Duration.ofMinutes(10);

	private static final Duration REFRESH_AFTER = Duration.ofMinutes(5);

	/**
	 * No jitter, and hot copies that live as long as their entries, to keep time exact.
	 */
	private static final TierCacheConfiguration REFRESHING = TierCacheConfiguration.defaultCacheConfig()
		.withTtl(TTL)
		.withTtlJitter(0)
		.withHotTtl(TTL)
		.withRefreshAfter(REFRESH_AFTER);

	private static final Duration PAST_REFRESH_AFTER = REFRESH_AFTER.plusMinutes(1);

	private static final Duration WAIT = Duration.ofSeconds(20);

	static Stream<CacheFixture> modes() {
		return Stream.of(new CacheFixture.Local(), new CacheFixture.Peers(), new CacheFixture.Redis(),
				new CacheFixture.RedisCluster());
	}

	@Parameter
	CacheFixture fixture;

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void tearDown() throws InterruptedException {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		this.fixture.close();
	}

	@Test
	void hitPastRefreshAfterReturnsTheCurrentValueWhileTheRefreshIsBlocked() throws Exception {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		for (Object key : keysOfEveryKind(reader)) {
			assertThat(reader.get(key, () -> "v1")).isEqualTo("v1");
			this.fixture.advance(PAST_REFRESH_AFTER);
			BlockingLoader loader = new BlockingLoader("v2");
			// The hit returns at once, with the value it found...
			assertThat(this.threads.submit(() -> reader.get(key, loader))).succeedsWithin(WAIT).isEqualTo("v1");
			// ...while the refresh it started runs the same loader, blocked.
			assertThat(loader.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			for (int i = 0; i < 3; i++) {
				assertThat(this.threads.submit(() -> reader.get(key, loader))).succeedsWithin(WAIT).isEqualTo("v1");
			}
			assertThat(loader.calls).hasValue(1);
			long refreshed = reader.getStats().count(Counter.REFRESHES);
			loader.release.countDown();
			awaitValueEverywhere(nodes, key, "v2");
			await().atMost(WAIT).until(() -> reader.getStats().count(Counter.REFRESHES) == refreshed + 1);
			assertThat(loader.calls).hasValue(1);
		}
	}

	@Test
	void asynchronousHitPastRefreshAfterCompletesAtOnceAndRefreshes() throws Exception {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		assertThat(reader.retrieve("k", () -> CompletableFuture.completedFuture("v1"))).succeedsWithin(WAIT)
			.isEqualTo("v1");
		this.fixture.advance(PAST_REFRESH_AFTER);
		CompletableFuture<String> reload = new CompletableFuture<>();
		AtomicInteger calls = new AtomicInteger();
		CompletableFuture<String> hit = reader.retrieve("k", () -> {
			calls.incrementAndGet();
			return reload;
		});
		assertThat(hit).isCompletedWithValue("v1");
		await().atMost(WAIT).until(() -> calls.get() == 1);
		reload.complete("v2");
		awaitValueEverywhere(nodes, "k", "v2");
		assertThat(calls).hasValue(1);
	}

	@Test
	void everyNodeAndThreadHittingAKeyPastRefreshAfterCauseOneReload() throws Exception {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		Object key = "popular";
		assertThat(nodes.get(0).get(key, () -> "v1")).isEqualTo("v1");
		for (TierCache node : nodes) {
			// Every node holds the entry or a copy of it.
			assertThat(node.get(key, () -> "never")).isEqualTo("v1");
		}
		this.fixture.advance(PAST_REFRESH_AFTER);
		BlockingLoader loader = new BlockingLoader("v2");
		int threadsPerNode = 48 / nodes.size();
		CountDownLatch go = new CountDownLatch(1);
		List<Future<Object>> reads = new ArrayList<>();
		for (TierCache node : nodes) {
			for (int t = 0; t < threadsPerNode; t++) {
				reads.add(this.threads.submit(() -> {
					go.await();
					return node.get(key, loader);
				}));
			}
		}
		go.countDown();
		for (Future<Object> read : reads) {
			assertThat(read).succeedsWithin(WAIT).isEqualTo("v1");
		}
		assertThat(loader.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		// While the one reload is held, no other node or thread starts another.
		await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> loader.calls.get() == 1);
		loader.release.countDown();
		awaitValueEverywhere(nodes, key, "v2");
		await().atMost(WAIT).until(() -> sum(nodes, Counter.REFRESHES) == 1);
		for (TierCache node : nodes) {
			assertThat(node.get(key, loader)).isEqualTo("v2");
		}
		assertThat(loader.calls).hasValue(1);
		assertThat(sum(nodes, Counter.REFRESHES)).isEqualTo(1);
		assertThat(sum(nodes, Counter.REFRESH_FAILURES)).isZero();
	}

	@Test
	void hitBeforeRefreshAfterDoesNotRefresh() {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		assertThat(reader.get("k", () -> "v1")).isEqualTo("v1");
		this.fixture.advance(REFRESH_AFTER.minusSeconds(1));
		AtomicInteger calls = new AtomicInteger();
		for (TierCache node : nodes) {
			assertThat(node.get("k", () -> "v" + (1 + calls.incrementAndGet()))).isEqualTo("v1");
		}
		assertThat(calls).hasValue(0);
		assertThat(sum(nodes, Counter.REFRESHES)).isZero();
	}

	@Test
	void keyNotReadAfterRefreshAfterExpiresAtTtlAsBefore() {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		assertThat(reader.get("k", () -> "v1")).isEqualTo("v1");
		this.fixture.advance(PAST_REFRESH_AFTER);
		this.fixture.advance(TTL.minus(PAST_REFRESH_AFTER).minusSeconds(1));
		assertThat(reader.get("k")).extracting(ValueWrapper::get).isEqualTo("v1");
		this.fixture.advance(Duration.ofSeconds(2));
		for (TierCache node : nodes) {
			assertThat(node.get("k")).isNull();
		}
		// Expired: the caller loads, and waits for it, as without refresh-after.
		AtomicInteger calls = new AtomicInteger();
		assertThat(reader.get("k", () -> "v" + (1 + calls.incrementAndGet()))).isEqualTo("v2");
		assertThat(calls).hasValue(1);
		assertThat(sum(nodes, Counter.REFRESHES)).isZero();
	}

	@Test
	void failedRefreshKeepsTheOldValueUntilTtlAndIsCounted() {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		assertThat(reader.get("k", () -> "v1")).isEqualTo("v1");
		this.fixture.advance(PAST_REFRESH_AFTER);
		AtomicInteger calls = new AtomicInteger();
		Callable<String> failing = () -> {
			calls.incrementAndGet();
			throw new IllegalStateException("database down");
		};
		assertThat(readWhileTheDatabaseIsDown(nodes, failing)).isEqualTo("v1");
		await().atMost(WAIT).until(() -> reader.getStats().count(Counter.REFRESH_FAILURES) == 1);
		assertThat(reader.getStats().count(Counter.LOAD_FAILURES)).isEqualTo(1);
		for (TierCache node : nodes) {
			assertThat(node.get("k")).extracting(ValueWrapper::get).isEqualTo("v1");
		}
		// Not tried again at once...
		assertThat(readWhileTheDatabaseIsDown(nodes, failing)).isEqualTo("v1");
		assertThat(calls).hasValue(1);
		// ...but a moment later (a refresh finds the key's lease taken until the failed
		// one's release reaches its holder, so a moment or two), and the old value stays.
		Duration[] advanced = { PAST_REFRESH_AFTER };
		await().atMost(WAIT).until(() -> {
			this.fixture.advance(Duration.ofSeconds(1));
			advanced[0] = advanced[0].plusSeconds(1);
			assertThat(readWhileTheDatabaseIsDown(nodes, failing)).isEqualTo("v1");
			return reader.getStats().count(Counter.REFRESH_FAILURES) >= 2;
		});
		assertThat(readWhileTheDatabaseIsDown(nodes, failing)).isEqualTo("v1");
		// Until its ttl.
		this.fixture.advance(TTL.minus(advanced[0]).minusSeconds(1));
		assertThat(reader.get("k")).extracting(ValueWrapper::get).isEqualTo("v1");
		this.fixture.advance(Duration.ofSeconds(2));
		assertThat(reader.get("k", () -> "v2")).isEqualTo("v2");
		assertThat(sum(nodes, Counter.REFRESHES)).isZero();
	}

	@Test
	void evictionWhileARefreshIsUnderWayIsNotUndoneByIt() throws Exception {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		TierCache writer = nodes.get(nodes.size() - 1);
		for (Object key : keysOfEveryKind(reader)) {
			assertThat(reader.get(key, () -> "v1")).isEqualTo("v1");
			this.fixture.advance(PAST_REFRESH_AFTER);
			BlockingLoader loader = new BlockingLoader("read before the eviction");
			long refreshed = reader.getStats().count(Counter.REFRESHES);
			assertThat(reader.get(key, loader)).isEqualTo("v1");
			assertThat(loader.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			// The refresh read the database before this eviction, and ends after it.
			writer.evict(key);
			loader.release.countDown();
			await().atMost(WAIT).until(() -> reader.getStats().count(Counter.REFRESHES) == refreshed + 1);
			for (TierCache node : nodes) {
				assertThat(node.get(key)).as("%s after the eviction", key).isNull();
			}
			assertThat(reader.get(key, () -> "read after the eviction")).isEqualTo("read after the eviction");
		}
	}

	@Test
	void writeWhileARefreshIsUnderWayIsNotOverwrittenByIt() throws Exception {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		TierCache writer = nodes.get(nodes.size() - 1);
		for (Object key : keysOfEveryKind(reader)) {
			assertThat(reader.get(key, () -> "v1")).isEqualTo("v1");
			this.fixture.advance(PAST_REFRESH_AFTER);
			BlockingLoader loader = new BlockingLoader("read before the write");
			long refreshed = reader.getStats().count(Counter.REFRESHES);
			assertThat(reader.get(key, loader)).isEqualTo("v1");
			assertThat(loader.started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			writer.put(key, "written");
			loader.release.countDown();
			await().atMost(WAIT).until(() -> reader.getStats().count(Counter.REFRESHES) == refreshed + 1);
			for (TierCache node : nodes) {
				assertThat(node.get(key)).as("%s after the write", key)
					.extracting(ValueWrapper::get)
					.isEqualTo("written");
			}
		}
	}

	@Test
	void remoteRefreshOnlyReloadsAnEntryThatIsDueAtItsStoreOrGone() {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING);
		TierCache reader = nodes.get(0);
		RemoteTier remote = reader.remoteTier();
		assumeTrue(remote != null, "the remote tier's own check");
		long window = reader.getLocalTier().refreshWindowNanos();
		for (Object key : keysOfEveryKind(reader)) {
			assertThat(reader.get(key, () -> "v1")).isEqualTo("v1");
			AtomicInteger calls = new AtomicInteger();
			RemoteTier.Loader loader = () -> new CacheEntry("v" + (1 + calls.incrementAndGet()), TTL.toNanos());
			// A node whose copy looked due asks after the key was refreshed (or written):
			// the stored entry is fresh, so nothing happens.
			this.fixture.advance(REFRESH_AFTER.minusSeconds(1));
			assertThat(remote.refresh("books", key, window, loader)).isNull();
			assertThat(calls).hasValue(0);
			this.fixture.advance(Duration.ofSeconds(1));
			assertThat(remote.refresh("books", key, window, loader)).extracting(CacheEntry::get).isEqualTo("v2");
			awaitValueEverywhere(nodes, key, "v2");
			// Gone (evicted, or expired, while a node held a due copy): loaded again.
			reader.evict(key);
			assertThat(remote.refresh("books", key, window, loader)).extracting(CacheEntry::get).isEqualTo("v3");
			awaitValueEverywhere(nodes, key, "v3");
		}
	}

	@Test
	void cachedNullIsNotRefreshed() {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING.withNullTtl(TTL));
		TierCache reader = nodes.get(0);
		assertThat(reader.<Object>get("missing", () -> null)).isNull();
		this.fixture.advance(PAST_REFRESH_AFTER);
		AtomicInteger calls = new AtomicInteger();
		for (TierCache node : nodes) {
			assertThat(node.get("missing", () -> "found " + calls.incrementAndGet())).isNull();
		}
		assertThat(calls).hasValue(0);
	}

	@Test
	void refreshToNullWhereNullsAreNotCachedRemovesTheKey() {
		List<TierCache> nodes = this.fixture.cluster("books", REFRESHING.withAllowNullValues(false));
		TierCache reader = nodes.get(0);
		assertThat(reader.get("gone", () -> "v1")).isEqualTo("v1");
		this.fixture.advance(PAST_REFRESH_AFTER);
		assertThat(reader.<Object>get("gone", () -> null)).isEqualTo("v1");
		await().atMost(WAIT).until(() -> nodes.stream().allMatch((node) -> node.get("gone") == null));
	}

	/**
	 * Keys whose authoritative copy is on the reading node (main) and elsewhere (hot), in
	 * the modes that have both; one key otherwise.
	 */
	private static List<Object> keysOfEveryKind(TierCache reader) {
		RemoteTier remote = reader.remoteTier();
		if (remote == null || !remote.usesMain()) {
			return List.of("k");
		}
		Object owned = null;
		Object elsewhere = null;
		for (int i = 0; owned == null || elsewhere == null; i++) {
			String key = "key-" + i;
			if (remote.ownsLocally(reader.getName(), key)) {
				owned = (owned != null) ? owned : key;
			}
			else {
				elsewhere = (elsewhere != null) ? elsewhere : key;
			}
		}
		return List.of(owned, elsewhere);
	}

	/**
	 * Read {@code k} on the first node with a loader that always fails. The key is cached
	 * on every node, so the loader may only run in a refresh, never for this caller;
	 * unless the remote tier failed meanwhile (a peer or Redis timed out on a busy
	 * machine), after which the read degrades to a load as designed, and the test's
	 * premise is gone: then the test is aborted, naming the failures.
	 */
	private static Object readWhileTheDatabaseIsDown(List<TierCache> nodes, Callable<String> failing) {
		long remoteFailuresBefore = remoteFailures(nodes);
		try {
			return nodes.get(0).get("k", failing);
		}
		catch (ValueRetrievalException ex) {
			long remoteFailures = remoteFailures(nodes) - remoteFailuresBefore;
			String counts = nodes.stream().map(RefreshAheadTests::counts).toList().toString();
			assumeTrue(remoteFailures == 0, () -> "The remote tier failed " + remoteFailures + " times during a read "
					+ "of a cached key, which so ran its loader, as designed: " + counts);
			throw new AssertionError("A read of a cached key ran its loader; per node: " + counts, ex);
		}
	}

	private static long remoteFailures(List<TierCache> nodes) {
		return sum(nodes, Counter.PEER_ERRORS) + sum(nodes, Counter.REDIS_ERRORS);
	}

	private static String counts(TierCache node) {
		StringBuilder counts = new StringBuilder();
		for (Counter counter : Counter.values()) {
			long count = node.getStats().count(counter);
			if (count != 0 && !counter.name().endsWith("_NANOS")) {
				counts.append((counts.length() > 0) ? ", " : "").append(counter).append('=').append(count);
			}
		}
		return "{" + counts + "}";
	}

	private static void awaitValueEverywhere(List<TierCache> nodes, Object key, Object value) {
		await().atMost(WAIT).untilAsserted(() -> {
			for (TierCache node : nodes) {
				assertThat(node.get(key)).as("%s on %s", key, node).extracting(ValueWrapper::get).isEqualTo(value);
			}
		});
	}

	private static long sum(List<TierCache> nodes, Counter counter) {
		return nodes.stream().mapToLong((node) -> node.getStats().count(counter)).sum();
	}

	/**
	 * A loader that counts its calls and returns its value once the test releases it.
	 */
	private static final class BlockingLoader implements Callable<Object> {

		final AtomicInteger calls = new AtomicInteger();

		final CountDownLatch started = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		private final Object value;

		BlockingLoader(Object value) {
			this.value = value;
		}

		@Override
		public Object call() throws Exception {
			this.calls.incrementAndGet();
			this.started.countDown();
			assertThat(this.release.await(60, TimeUnit.SECONDS)).isTrue();
			return this.value;
		}

	}

}
