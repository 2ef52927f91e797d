package dev.tiercache;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;

/**
 * A bean of {@link CacheAnnotationTests} whose class carries {@code @Cacheable}: every
 * method without an annotation of its own is cached in {@code main}. Since that includes
 * any method that would report the calls, tests read {@link #calls} on the proxy's
 * target.
 */
@Cacheable("main")
class ClassAnnotatedService {

	final AtomicLong calls = new AtomicLong();

	Long get(Object key) {
		return this.calls.incrementAndGet();
	}

	Long getNull(Object key) {
		this.calls.incrementAndGet();
		return null;
	}

	@CachePut("main")
	Long put(Object key) {
		return this.calls.incrementAndGet();
	}

	@CacheEvict("main")
	void evict(Object key) {
		this.calls.incrementAndGet();
	}

}
