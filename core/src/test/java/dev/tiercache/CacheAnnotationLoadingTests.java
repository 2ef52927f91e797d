package dev.tiercache;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * How {@code @Cacheable} methods load on a tiercache manager, in every mode: with and
 * without {@code sync = true}, returning {@code null}, throwing, and returning
 * {@code CompletableFuture}s. Spring's contract, which its own caches meet, is that the
 * caller sees the method's own result or exception whatever the cache does; keys of
 * {@code new Object()}, as Spring's own suites use, stay on the node that cached them.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("modes")
class CacheAnnotationLoadingTests {

	private static final TierCacheConfiguration NULLS_ALLOWED = TierCacheConfiguration.defaultCacheConfig();

	static Stream<CacheFixture> modes() {
		return Stream.of(new CacheFixture.Local(), new CacheFixture.Redis(), new CacheFixture.Peers());
	}

	@Parameter
	CacheFixture fixture;

	private final ExecutorService threads = Executors.newFixedThreadPool(8);

	private TierCacheManager manager;

	private AnnotationConfigApplicationContext context;

	@AfterEach
	void tearDown() throws InterruptedException {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		if (this.context != null) {
			this.context.close();
		}
		this.fixture.close();
	}

	private LoadingService start(TierCacheConfiguration configuration) {
		this.manager = this.fixture.manager(configuration, "main");
		this.context = CachingContext.start(this.manager, LoadingService.class);
		return this.context.getBean(LoadingService.class);
	}

	private TierCache cache() {
		return this.manager.getCache("main");
	}

	@Test
	void syncCacheableCallsTheMethodOncePerKey() {
		LoadingService service = start(NULLS_ALLOWED);
		for (Object key : List.of(new Object(), "isbn-1", 42L)) {
			Long first = service.getSync(key);
			assertThat(service.getSync(key)).as("second call, key %s", key).isEqualTo(first);
			assertThat(cache().get(key)).as("entry of key %s", key).extracting(ValueWrapper::get).isEqualTo(first);
		}
		assertThat(service.calls()).isEqualTo(3);
	}

	@Test
	void syncConditionDecidesWhetherACallIsCached() {
		LoadingService service = start(NULLS_ALLOWED);
		Long odd = service.getSyncIfEven(3);
		assertThat(service.getSyncIfEven(3)).isNotEqualTo(odd);
		Long even = service.getSyncIfEven(4);
		assertThat(service.getSyncIfEven(4)).isEqualTo(even);
		assertThat(service.calls()).isEqualTo(3);
		assertThat(cache().get(3)).isNull();
	}

	@Test
	void concurrentSyncCallsOfOneKeyCallTheMethodOnce() throws Exception {
		LoadingService service = start(NULLS_ALLOWED);
		CompletableFuture<Long> pending = new CompletableFuture<>();
		service.holdOn(pending);
		int callers = 8;
		List<Future<Long>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(this.threads.submit(() -> service.getPending("isbn-1")));
		}
		// The method holds its load until every other caller waits for it, so a second
		// call of the method would show.
		await().atMost(Duration.ofSeconds(10)).until(() -> this.fixture.waiters(cache()) == callers - 1);
		pending.complete(7L);
		for (Future<Long> result : results) {
			assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo(7L);
		}
		assertThat(service.calls()).isEqualTo(1);
	}

	@Test
	void nullResultIsCachedWhenNullsAreAllowed() {
		LoadingService service = start(NULLS_ALLOWED);
		for (List<Object> keys : keysNoNodeCanNameThenKeysEveryNodeCan(2)) {
			for (int i = 0; i < 3; i++) {
				assertThat(service.getNull(keys.get(0))).isNull();
				assertThat(service.getSyncNull(keys.get(1))).isNull();
			}
			assertCachedNulls(keys);
		}
		assertThat(service.calls()).isEqualTo(4);
	}

	@Test
	void nullInAnOptionalOrAFutureIsCachedWhenNullsAreAllowed() {
		LoadingService service = start(NULLS_ALLOWED);
		for (List<Object> keys : keysNoNodeCanNameThenKeysEveryNodeCan(3)) {
			for (int i = 0; i < 2; i++) {
				assertThat(service.getEmptyOptional(keys.get(0))).isEmpty();
				assertThat(service.getFutureOfNull(keys.get(1)).join()).isNull();
				assertThat(service.getFutureOfNullSync(keys.get(2)).join()).isNull();
			}
			assertCachedNulls(keys);
		}
		assertThat(service.calls()).isEqualTo(6);
	}

	private static List<List<Object>> keysNoNodeCanNameThenKeysEveryNodeCan(int count) {
		List<Object> unnamed = new ArrayList<>();
		List<Object> named = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			unnamed.add(new Object());
			named.add("isbn-" + i);
		}
		return List.of(unnamed, named);
	}

	private void assertCachedNulls(List<Object> keys) {
		for (Object key : keys) {
			assertThat(cache().get(key)).as("entry of key %s", key).isNotNull().extracting(ValueWrapper::get).isNull();
		}
	}

	/**
	 * tiercache returns a {@code null} result without storing it when nulls are not
	 * allowed (configuration.md, {@code allow-null-values}). Spring's
	 * {@code ConcurrentMapCache} fails such a call with an
	 * {@code IllegalArgumentException} instead; tiercache never fails a call for a cache
	 * setting.
	 */
	@Test
	void nullResultIsReturnedButNotCachedWhenNullsAreNotAllowed() {
		LoadingService service = start(NULLS_ALLOWED.withAllowNullValues(false));
		Object key = new Object();
		for (int i = 0; i < 3; i++) {
			assertThat(service.getNull(key)).isNull();
			assertThat(service.getSyncNull("isbn-1")).isNull();
		}
		assertThat(service.calls()).isEqualTo(6);
		assertThat(cache().get(key)).isNull();
		assertThat(cache().get("isbn-1")).isNull();
	}

	@Test
	void checkedExceptionReachesTheCallerUnchangedAndIsNotCached() {
		LoadingService service = start(NULLS_ALLOWED);
		Object key = new Object();
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> service.failChecked(key))
			.withMessage("checked 1");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> service.failChecked(key))
			.withMessage("checked 2");
		assertThat(cache().get(key)).isNull();
	}

	@Test
	void checkedExceptionOfASyncCallReachesTheCallerUnchangedAndIsNotCached() {
		LoadingService service = start(NULLS_ALLOWED);
		for (Object key : List.of(new Object(), "isbn-1")) {
			long calls = service.calls();
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> service.failCheckedSync(key))
				.withMessage("checked " + (calls + 1));
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> service.failCheckedSync(key))
				.withMessage("checked " + (calls + 2));
			assertThat(cache().get(key)).isNull();
		}
	}

	@Test
	void uncheckedExceptionReachesTheCallerUnchangedWithAndWithoutSync() {
		LoadingService service = start(NULLS_ALLOWED);
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> service.failUnchecked(new Object()))
			.withMessage("unchecked 1");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> service.failUncheckedSync(new Object()))
			.withMessage("unchecked 2");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> service.failUncheckedSync("isbn-1"))
			.withMessage("unchecked 3");
		assertThat(cache().get("isbn-1")).isNull();
	}

	@Test
	void futureCacheableCachesTheValueTheFutureCompletesWith() {
		LoadingService service = start(NULLS_ALLOWED);
		for (Object key : List.of(new Object(), "isbn-1")) {
			Long first = service.getFuture(key).join();
			assertThat(service.getFuture(key).join()).as("second call, key %s", key).isEqualTo(first);
			assertThat(cache().get(key)).as("entry of key %s", key).extracting(ValueWrapper::get).isEqualTo(first);
		}
		assertThat(service.calls()).isEqualTo(2);
	}

	@Test
	void futureCacheableWithSyncCachesTheValueTheFutureCompletesWith() {
		LoadingService service = start(NULLS_ALLOWED);
		for (Object key : List.of(new Object(), "isbn-1")) {
			Long first = service.getFutureSync(key).join();
			assertThat(service.getFutureSync(key).join()).as("second call, key %s", key).isEqualTo(first);
			assertThat(cache().get(key)).as("entry of key %s", key).extracting(ValueWrapper::get).isEqualTo(first);
		}
		assertThat(service.calls()).isEqualTo(2);
	}

	@Test
	void concurrentFutureCallsWithSyncOfOneKeyCallTheMethodOnce() {
		LoadingService service = start(NULLS_ALLOWED);
		CompletableFuture<Long> pending = new CompletableFuture<>();
		service.holdOn(pending);
		int callers = 8;
		List<CompletableFuture<Long>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(service.getFuturePending("isbn-1"));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.fixture.waiters(cache()) == callers - 1);
		pending.complete(7L);
		for (CompletableFuture<Long> result : results) {
			assertThat(result).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(7L);
		}
		assertThat(service.calls()).isEqualTo(1);
	}

	@Test
	void failedFutureReachesTheCallerWithItsOwnExceptionAndIsNotCached() {
		LoadingService service = start(NULLS_ALLOWED);
		for (Object key : List.of(new Object(), "isbn-1")) {
			long calls = service.calls();
			assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> service.getFailedFuture(key).join())
				.havingCause()
				.isInstanceOf(IOException.class)
				.withMessage("failed " + (calls + 1));
			assertThatExceptionOfType(CompletionException.class).isThrownBy(() -> service.getFailedFuture(key).join())
				.havingCause()
				.withMessage("failed " + (calls + 2));
			assertThat(cache().get(key)).isNull();
		}
	}

	@Test
	void failedFutureWithSyncReachesTheCallerWithItsOwnExceptionAndIsNotCached() {
		LoadingService service = start(NULLS_ALLOWED);
		for (Object key : List.of(new Object(), "isbn-1")) {
			long calls = service.calls();
			assertThatExceptionOfType(CompletionException.class)
				.isThrownBy(() -> service.getFailedFutureSync(key).join())
				.havingCause()
				.isInstanceOf(IOException.class)
				.withMessage("failed " + (calls + 1));
			assertThatExceptionOfType(CompletionException.class)
				.isThrownBy(() -> service.getFailedFutureSync(key).join())
				.havingCause()
				.withMessage("failed " + (calls + 2));
			assertThat(cache().get(key)).isNull();
		}
	}

}
