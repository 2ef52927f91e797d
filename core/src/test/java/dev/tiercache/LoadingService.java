package dev.tiercache;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.cache.annotation.CacheConfig;
import org.springframework.cache.annotation.Cacheable;

/**
 * The bean {@link CacheAnnotationLoadingTests} call through Spring's caching proxy:
 * methods that load with and without {@code sync}, return {@code null}, fail, or return
 * futures. Every method counts its calls; most return that count.
 */
@CacheConfig(cacheNames = "main")
class LoadingService {

	private final AtomicLong calls = new AtomicLong();

	/**
	 * What {@link #getPending} and {@link #getFuturePending} return, completed by the
	 * test.
	 */
	volatile CompletableFuture<Long> pending = new CompletableFuture<>();

	long calls() {
		return this.calls.get();
	}

	/**
	 * Make {@link #getPending} wait for {@code future} and {@link #getFuturePending}
	 * return it. (A test must call this method: the caching proxy has fields of its own.)
	 */
	void holdOn(CompletableFuture<Long> future) {
		this.pending = future;
	}

	private long call() {
		return this.calls.incrementAndGet();
	}

	@Cacheable(sync = true)
	Long getSync(Object key) {
		return call();
	}

	@Cacheable(sync = true, condition = "#p0 % 2 == 0")
	Long getSyncIfEven(int number) {
		return call();
	}

	@Cacheable(sync = true)
	Long getPending(Object key) throws Exception {
		call();
		return this.pending.get(30, TimeUnit.SECONDS);
	}

	@Cacheable
	Long getNull(Object key) {
		call();
		return null;
	}

	@Cacheable(sync = true)
	Long getSyncNull(Object key) {
		call();
		return null;
	}

	@Cacheable
	Optional<Long> getEmptyOptional(Object key) {
		call();
		return Optional.empty();
	}

	@Cacheable
	CompletableFuture<Long> getFutureOfNull(Object key) {
		call();
		return CompletableFuture.completedFuture(null);
	}

	@Cacheable(sync = true)
	CompletableFuture<Long> getFutureOfNullSync(Object key) {
		call();
		return CompletableFuture.completedFuture(null);
	}

	@Cacheable
	Long failChecked(Object key) throws IOException {
		throw new IOException("checked " + call());
	}

	@Cacheable(sync = true)
	Long failCheckedSync(Object key) throws IOException {
		throw new IOException("checked " + call());
	}

	@Cacheable
	Long failUnchecked(Object key) {
		throw new UnsupportedOperationException("unchecked " + call());
	}

	@Cacheable(sync = true)
	Long failUncheckedSync(Object key) {
		throw new UnsupportedOperationException("unchecked " + call());
	}

	@Cacheable
	CompletableFuture<Long> getFuture(Object key) {
		return CompletableFuture.supplyAsync(this::call);
	}

	@Cacheable(sync = true)
	CompletableFuture<Long> getFutureSync(Object key) {
		return CompletableFuture.supplyAsync(this::call);
	}

	@Cacheable(sync = true)
	CompletableFuture<Long> getFuturePending(Object key) {
		call();
		return this.pending;
	}

	@Cacheable
	CompletableFuture<Long> getFailedFuture(Object key) {
		return CompletableFuture.failedFuture(new IOException("failed " + call()));
	}

	@Cacheable(sync = true)
	CompletableFuture<Long> getFailedFutureSync(Object key) {
		return CompletableFuture.failedFuture(new IOException("failed " + call()));
	}

}
