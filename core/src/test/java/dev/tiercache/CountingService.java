package dev.tiercache;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.cache.annotation.CacheConfig;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;

/**
 * The bean {@link CacheAnnotationTests} call through Spring's caching proxy. Every method
 * counts its calls and most return that count, so a test sees whether a call reached the
 * method or was answered by the cache, and which call produced a cached value.
 */
@CacheConfig(cacheNames = "main")
class CountingService {

	private final AtomicLong calls = new AtomicLong();

	long calls() {
		return this.calls.get();
	}

	private long call() {
		return this.calls.incrementAndGet();
	}

	@Cacheable
	Long get(Object key) {
		return call();
	}

	@Cacheable
	Long getOfTwo(Object first, Object second) {
		return call();
	}

	@Cacheable
	Long getNull(Object key) {
		call();
		return null;
	}

	@Cacheable
	Long getOfSeveral(Object... parts) {
		return call();
	}

	@Cacheable(key = "#p0")
	Long getByFirst(Object key, Object ignored) {
		return call();
	}

	@Cacheable(key = "#root.methodName")
	Long getByMethodName(Object ignored) {
		return call();
	}

	@Cacheable(key = "#root.methodName + '/' + #root.method.name + '/' + #root.caches[0].name + '/' "
			+ "+ #root.targetClass.simpleName + '/' + #root.args[0]")
	Long getByRootObject(Object key) {
		return call();
	}

	@Cacheable(keyGenerator = "joiningKeyGenerator")
	Long getByCustomKey(Object first, Object second) {
		return call();
	}

	@Cacheable(keyGenerator = "noSuchKeyGenerator")
	Long getByUnknownKeyGenerator(Object key) {
		return call();
	}

	@Cacheable(condition = "#p0 % 2 == 0")
	Long getIfEven(int number) {
		return call();
	}

	@Cacheable(unless = "#result > 10")
	Long getUnlessAboveTen(long number) {
		call();
		return number;
	}

	@CachePut
	Long put(Object key) {
		return call();
	}

	@CachePut(condition = "#p0 == 3")
	Long putIfThree(int number) {
		call();
		return (long) number;
	}

	@CachePut(key = "#result.isbn()")
	Book save(Book book) {
		call();
		return book;
	}

	@CacheEvict
	void evict(Object key) {
		call();
	}

	@CacheEvict
	void evictAfterFailing(Object key) {
		call();
		throw new IllegalStateException("failed before the eviction");
	}

	@CacheEvict(beforeInvocation = true)
	void evictBeforeFailing(Object key) {
		call();
		throw new IllegalStateException("failed after the eviction");
	}

	@CacheEvict(allEntries = true)
	void evictAll() {
		call();
	}

	@CacheEvict(allEntries = true)
	void evictAllAfterFailing() {
		call();
		throw new IllegalStateException("failed before the eviction");
	}

	@CacheEvict(allEntries = true, beforeInvocation = true)
	void evictAllBeforeFailing() {
		call();
		throw new IllegalStateException("failed after the eviction");
	}

	@Caching(cacheable = { @Cacheable("primary"), @Cacheable("secondary") })
	Long getInBoth(Object key) {
		return call();
	}

	@Caching(put = { @CachePut("primary"), @CachePut("secondary") })
	Long putInBoth(Object key) {
		return call();
	}

	@Caching(evict = { @CacheEvict("primary"), @CacheEvict(cacheNames = "secondary", key = "#p0"),
			@CacheEvict(cacheNames = "primary", key = "#p0 + '-copy'") })
	void evictFromBoth(Object key) {
		call();
	}

	@Caching(cacheable = @Cacheable(cacheNames = "primary", key = "#root.methodName"),
			evict = @CacheEvict(cacheNames = "secondary", allEntries = true))
	Long getInPrimaryClearingSecondary(Object ignored) {
		return call();
	}

	/**
	 * A key equal to another of the same text that does not override {@code toString()}.
	 */
	static final class Isbn {

		private final String text;

		Isbn(String text) {
			this.text = text;
		}

		@Override
		public boolean equals(Object other) {
			return (other instanceof Isbn isbn) && this.text.equals(isbn.text);
		}

		@Override
		public int hashCode() {
			return this.text.hashCode();
		}

	}

	/**
	 * A value no node can serialize: a record that is not {@code Serializable}.
	 */
	record Book(String isbn, String title) {
	}

}
