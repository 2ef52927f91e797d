package dev.tiercache;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueRetrievalException;
import org.springframework.cache.Cache.ValueWrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The Spring {@link Cache} contract, written once and run against every mode. A new mode
 * plugs in by adding its {@link CacheFixture} to {@link #modes()}.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("modes")
class CacheContractTests {

	private static final Duration TTL = Duration.ofMinutes(10);

	private static final Duration NULL_TTL = Duration.ofMinutes(1);

	private static final TierCacheConfiguration EXACT = TierCacheConfiguration.defaultCacheConfig()
		.withTtl(TTL)
		.withTtlJitter(0)
		.withNullTtl(NULL_TTL);

	static Stream<CacheFixture> modes() {
		return Stream.of(new CacheFixture.Local(), new CacheFixture.Redis(), new CacheFixture.RedisSentinel(),
				new CacheFixture.RedisCluster(), new CacheFixture.Peers());
	}

	@Parameter
	CacheFixture fixture;

	private final ExecutorService threads = Executors.newFixedThreadPool(64);

	@AfterEach
	void tearDown() throws InterruptedException {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		this.fixture.close();
	}

	private TierCache cache() {
		return this.fixture.cache("books", EXACT);
	}

	@Test
	void nameAndNativeCacheAreExposed() {
		TierCache cache = cache();
		assertThat(cache.getName()).isEqualTo("books");
		assertThat(cache.getNativeCache()).isNotNull();
	}

	@Test
	void getOfMissingKeyReturnsNull() {
		TierCache cache = cache();
		assertThat(cache.get("missing")).isNull();
		assertThat(cache.get("missing", String.class)).isNull();
		assertThat(cache.getStats().missCount()).isEqualTo(2);
	}

	@Test
	void putThenGetReturnsTheValue() {
		TierCache cache = cache();
		cache.put("k", "v");
		assertThat(cache.get("k")).extracting(ValueWrapper::get).isEqualTo("v");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		assertThat(cache.get("k", (Class<String>) null)).isEqualTo("v");
		assertThat(cache.getStats().hitCount()).isEqualTo(3);
	}

	@Test
	void putReplacesTheValue() {
		TierCache cache = cache();
		cache.put("k", "v1");
		cache.put("k", "v2");
		assertThat(cache.get("k", String.class)).isEqualTo("v2");
	}

	@Test
	void getWithWrongTypeFailsWithTheTypes() {
		TierCache cache = cache();
		cache.put("k", 42);
		assertThatIllegalStateException().isThrownBy(() -> cache.get("k", String.class))
			.withMessageContaining("java.lang.String")
			.withMessageContaining("java.lang.Integer");
	}

	@Test
	void nullValueIsCachedAndDistinguishedFromAMiss() {
		TierCache cache = cache();
		cache.put("k", null);
		ValueWrapper wrapper = cache.get("k");
		assertThat(wrapper).isNotNull();
		assertThat(wrapper.get()).isNull();
		assertThat(cache.get("k", String.class)).isNull();
	}

	@Test
	void nullValueIsNotCachedWhenNullsAreNotAllowed() {
		TierCache cache = this.fixture.cache("strict", EXACT.withAllowNullValues(false));
		cache.put("k", "v");
		cache.put("k", null);
		assertThat(cache.get("k")).isNull();
		AtomicInteger loads = new AtomicInteger();
		for (int i = 0; i < 2; i++) {
			String loaded = cache.get("other", () -> {
				loads.incrementAndGet();
				return null;
			});
			assertThat(loaded).isNull();
		}
		assertThat(loads).hasValue(2);
		assertThat(cache.putIfAbsent("k", null)).isNull();
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void getWithLoaderLoadsOnceAndCaches() {
		TierCache cache = cache();
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
		assertThat(cache.get("k", () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
		assertThat(loads).hasValue(1);
		assertThat(cache.get("k", String.class)).isEqualTo("v1");
	}

	@Test
	void getWithLoaderCachesANullResult() {
		TierCache cache = cache();
		AtomicInteger loads = new AtomicInteger();
		String loaded = cache.get("k", () -> {
			loads.incrementAndGet();
			return null;
		});
		assertThat(loaded).isNull();
		assertThat(cache.get("k", () -> "never")).isNull();
		assertThat(loads).hasValue(1);
	}

	@Test
	void loaderFailureIsWrappedAndNotCached() {
		TierCache cache = cache();
		IOException failure = new IOException("database down");
		assertThatExceptionOfType(ValueRetrievalException.class).isThrownBy(() -> cache.get("k", () -> {
			throw failure;
		})).satisfies((ex) -> {
			assertThat(ex.getKey()).isEqualTo("k");
			assertThat(ex.getCause()).isSameAs(failure);
		});
		assertThat(cache.get("k")).isNull();
		assertThat(cache.get("k", () -> "v")).isEqualTo("v");
	}

	@Test
	void recursiveLoadOfTheSameKeyFailsInsteadOfDeadlocking() {
		TierCache cache = cache();
		assertThatExceptionOfType(ValueRetrievalException.class)
			.isThrownBy(() -> cache.get("k", () -> cache.get("k", () -> "inner")))
			.havingRootCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining("Recursive load");
	}

	@Test
	void retrieveOfMissingKeyIsNullOrEmpty() throws Exception {
		TierCache cache = cache();
		CompletableFuture<?> future = cache.retrieve("missing");
		if (future != null) {
			assertThat(future.get(5, TimeUnit.SECONDS)).isNull();
		}
	}

	@Test
	void retrieveOfCachedValueCompletesWithIt() throws Exception {
		TierCache cache = cache();
		cache.put("k", "v");
		cache.put("n", null);
		assertThat(unwrap(cache.retrieve("k").get(5, TimeUnit.SECONDS))).isEqualTo("v");
		Object cachedNull = cache.retrieve("n").get(5, TimeUnit.SECONDS);
		assertThat(cachedNull).isInstanceOf(ValueWrapper.class);
		assertThat(((ValueWrapper) cachedNull).get()).isNull();
	}

	@Test
	void retrieveWithLoaderLoadsOnceAndCaches() throws Exception {
		TierCache cache = cache();
		AtomicInteger loads = new AtomicInteger();
		assertThat(cache.retrieve("k", () -> CompletableFuture.supplyAsync(() -> "v" + loads.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(cache.retrieve("k", () -> CompletableFuture.completedFuture("v" + loads.incrementAndGet()))
			.get(5, TimeUnit.SECONDS)).isEqualTo("v1");
		assertThat(loads).hasValue(1);
		assertThat(cache.get("k", String.class)).isEqualTo("v1");
	}

	@Test
	void retrieveWithFailingLoaderFailsAndCachesNothing() {
		TierCache cache = cache();
		IOException failure = new IOException("database down");
		CompletableFuture<String> result = cache.retrieve("k", () -> CompletableFuture.failedFuture(failure));
		assertThat(result).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingRootCause().isSameAs(failure);
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void retrieveWithFailingLoaderFailsWithTheSuppliersOwnException() {
		TierCache cache = cache();
		IOException failure = new IOException("database down");
		CompletableFuture<String> result = cache.retrieve("k", () -> CompletableFuture.failedFuture(failure));
		assertThat(result).failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause().isSameAs(failure);
	}

	@Test
	void keyWithoutAStableNameIsCachedOnThisNodeAndNothingThrows() throws Exception {
		// Spring's own cache annotation tests use such keys; no node could name them.
		TierCache cache = cache();
		Object key = new Object();
		assertThat(cache.get(key)).isNull();
		cache.put(key, "v1");
		assertThat(cache.get(key, String.class)).isEqualTo("v1");
		assertThat(cache.putIfAbsent(key, "v2").get()).isEqualTo("v1");
		assertThat(cache.evictIfPresent(key)).isTrue();
		assertThat(cache.get(key)).isNull();
		assertThat(cache.get(key, () -> "loaded")).isEqualTo("loaded");
		assertThat(cache.get(key, () -> "again")).isEqualTo("loaded");
		Object other = new Object();
		assertThat(cache.retrieve(other, () -> CompletableFuture.completedFuture("async")))
			.succeedsWithin(Duration.ofSeconds(5))
			.isEqualTo("async");
		assertThat(cache.retrieve(other)).succeedsWithin(Duration.ofSeconds(5))
			.extracting(CacheContractTests::unwrap)
			.isEqualTo("async");
		cache.evict(key);
		cache.clear();
		assertThat(cache.get(other)).isNull();
	}

	@Test
	void valueThatCannotBeSerializedIsCachedOnThisNodeAndReplacesTheOldOne() {
		TierCache cache = cache();
		cache.put("k", "serializable");
		Object notSerializable = new Object() {

			@Override
			public String toString() {
				return "not serializable";
			}

		};
		cache.put("k", notSerializable);
		assertThat(cache.get("k").get()).isSameAs(notSerializable);
	}

	@Test
	void putIfAbsentStoresOnlyWhenAbsent() {
		TierCache cache = cache();
		assertThat(cache.putIfAbsent("k", "v1")).isNull();
		assertThat(cache.putIfAbsent("k", "v2")).extracting(ValueWrapper::get).isEqualTo("v1");
		assertThat(cache.get("k", String.class)).isEqualTo("v1");
	}

	@Test
	void putIfAbsentIsAtomic() throws Exception {
		TierCache cache = cache();
		List<Future<ValueWrapper>> results = new ArrayList<>();
		CountDownLatch start = new CountDownLatch(1);
		for (int i = 0; i < 32; i++) {
			String value = "v" + i;
			results.add(this.threads.submit(() -> {
				start.await();
				return cache.putIfAbsent("k", value);
			}));
		}
		start.countDown();
		int winners = 0;
		for (Future<ValueWrapper> result : results) {
			if (result.get(10, TimeUnit.SECONDS) == null) {
				winners++;
			}
		}
		assertThat(winners).isEqualTo(1);
	}

	@Test
	void evictRemovesTheKey() {
		TierCache cache = cache();
		cache.put("k", "v");
		cache.put("other", "w");
		cache.evict("k");
		assertThat(cache.get("k")).isNull();
		assertThat(cache.get("other", String.class)).isEqualTo("w");
	}

	@Test
	void evictIfPresentSaysWhetherTheKeyWasThere() {
		TierCache cache = cache();
		cache.put("k", "v");
		assertThat(cache.evictIfPresent("k")).isTrue();
		assertThat(cache.evictIfPresent("k")).isFalse();
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void clearRemovesEveryKey() {
		TierCache cache = cache();
		cache.put("a", "1");
		cache.put("b", "2");
		cache.clear();
		assertThat(cache.get("a")).isNull();
		assertThat(cache.get("b")).isNull();
	}

	@Test
	void invalidateSaysWhetherAnythingWasThere() {
		TierCache cache = cache();
		cache.put("a", "1");
		assertThat(cache.invalidate()).isTrue();
		assertThat(cache.get("a")).isNull();
		assertThat(cache.invalidate()).isFalse();
	}

	@Test
	void entryExpiresAfterItsTtl() {
		TierCache cache = cache();
		cache.put("k", "v");
		this.fixture.advance(TTL.minusSeconds(1));
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		this.fixture.advance(Duration.ofSeconds(1));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void nullEntryExpiresAfterTheNullTtl() {
		TierCache cache = cache();
		cache.put("k", null);
		this.fixture.advance(NULL_TTL.minusSeconds(1));
		assertThat(cache.get("k")).isNotNull();
		this.fixture.advance(Duration.ofSeconds(1));
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void jitterShortensTtlsWithinItsBound() {
		double jitter = 0.5;
		TierCache cache = this.fixture.cache("jittered", EXACT.withTtlJitter(jitter));
		int keys = 200;
		for (int i = 0; i < keys; i++) {
			cache.put(i, "v");
		}
		Duration shortest = Duration.ofNanos((long) (TTL.toNanos() * (1 - jitter)));
		this.fixture.advance(shortest.minusMillis(1));
		assertThat(countPresent(cache, keys)).as("no entry expires before ttl * (1 - jitter)").isEqualTo(keys);
		this.fixture.advance(TTL.minus(shortest).dividedBy(2));
		assertThat(countPresent(cache, keys)).as("entries written together expire at different times")
			.isBetween(keys / 5, keys * 4 / 5);
		this.fixture.advance(TTL);
		assertThat(countPresent(cache, keys)).as("no entry outlives its ttl").isZero();
	}

	private static int countPresent(TierCache cache, int keys) {
		int present = 0;
		for (int i = 0; i < keys; i++) {
			if (cache.get(i) != null) {
				present++;
			}
		}
		return present;
	}

	@Test
	void concurrentGetsOfOneMissingKeyRunTheLoaderOnce() throws Exception {
		TierCache cache = cache();
		int callers = 64;
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<String>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(this.threads.submit(() -> {
				start.await();
				return cache.get("k", () -> {
					loads.incrementAndGet();
					// Hold the load until every other caller waits for it, so that a
					// broken single-flight would run the loader again.
					await().atMost(Duration.ofSeconds(10)).until(() -> this.fixture.waiters(cache) == callers - 1);
					return "v";
				});
			}));
		}
		start.countDown();
		for (Future<String> result : results) {
			assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("v");
		}
		assertThat(loads).hasValue(1);
		assertThat(this.fixture.waiters(cache)).isEqualTo(callers - 1);
	}

	@Test
	void concurrentRetrievesOfOneMissingKeyRunTheLoaderOnce() throws Exception {
		TierCache cache = cache();
		int callers = 64;
		AtomicInteger loads = new AtomicInteger();
		CompletableFuture<String> slowLoad = new CompletableFuture<>();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<CompletableFuture<String>>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(this.threads.submit(() -> {
				start.await();
				return cache.retrieve("k", () -> {
					loads.incrementAndGet();
					return slowLoad;
				});
			}));
		}
		start.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.fixture.waiters(cache) == callers - 1);
		slowLoad.complete("v");
		for (Future<CompletableFuture<String>> result : results) {
			assertThat(result.get(20, TimeUnit.SECONDS).get(20, TimeUnit.SECONDS)).isEqualTo("v");
		}
		assertThat(loads).hasValue(1);
	}

	@Test
	void valueLoadedBeforeAnEvictionIsNotStoredAfterIt() throws Exception {
		TierCache cache = cache();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch evicted = new CountDownLatch(1);
		Future<String> stale = this.threads.submit(() -> cache.get("k", () -> {
			loading.countDown();
			evicted.await();
			return "stale";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		cache.evict("k");
		evicted.countDown();
		assertThat(stale.get(10, TimeUnit.SECONDS)).isEqualTo("stale");
		assertThat(cache.get("k")).isNull();
		assertThat(cache.get("k", () -> "fresh")).isEqualTo("fresh");
	}

	@Test
	void valueLoadedBeforeAClearIsNotStoredAfterIt() throws Exception {
		TierCache cache = cache();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch cleared = new CountDownLatch(1);
		Future<String> stale = this.threads.submit(() -> cache.get("k", () -> {
			loading.countDown();
			cleared.await();
			return "stale";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		cache.clear();
		cleared.countDown();
		assertThat(stale.get(10, TimeUnit.SECONDS)).isEqualTo("stale");
		assertThat(cache.get("k")).isNull();
	}

	@Test
	void putDuringALoadWinsOverTheLoadedValue() throws Exception {
		TierCache cache = cache();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch put = new CountDownLatch(1);
		Future<String> load = this.threads.submit(() -> cache.get("k", () -> {
			loading.countDown();
			put.await();
			return "loaded";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		cache.put("k", "written");
		put.countDown();
		load.get(10, TimeUnit.SECONDS);
		assertThat(cache.get("k", String.class)).isEqualTo("written");
	}

	@Test
	void asyncLoadFailureReachesSyncWaitersAsValueRetrievalException() throws Exception {
		TierCache cache = cache();
		CompletableFuture<String> slowLoad = new CompletableFuture<>();
		CompletableFuture<String> leader = cache.retrieve("k", () -> slowLoad);
		Future<Object> waiter = this.threads.submit(() -> cache.get("k", () -> "never"));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.fixture.waiters(cache) == 1);
		slowLoad.completeExceptionally(new IOException("database down"));
		assertThat(leader).failsWithin(Duration.ofSeconds(5));
		assertThat(waiter).failsWithin(Duration.ofSeconds(5))
			.withThrowableThat()
			.havingCause()
			.isInstanceOf(ValueRetrievalException.class)
			.havingCause()
			.isInstanceOf(IOException.class);
	}

	private static Object unwrap(Object value) {
		return (value instanceof ValueWrapper wrapper) ? wrapper.get() : value;
	}

}
