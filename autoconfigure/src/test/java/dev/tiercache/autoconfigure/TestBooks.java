package dev.tiercache.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cached service of the applications in the remote modes' tests: {@code books} loads
 * slowly and counts its loads, {@code titles} reads {@link #TITLES} and is evicted by
 * {@link #rename(long)}.
 */
public class TestBooks {

	/**
	 * Loads of {@code books} in every application context of the JVM.
	 */
	static final AtomicInteger LOADS = new AtomicInteger();

	/**
	 * The titles' backing store, shared by every application context of the JVM.
	 */
	static final Map<Long, String> TITLES = new ConcurrentHashMap<>();

	private final AtomicInteger loads = new AtomicInteger();

	@Cacheable(cacheNames = "books", sync = true)
	public String find(long id) throws InterruptedException {
		LOADS.incrementAndGet();
		this.loads.incrementAndGet();
		Thread.sleep(20);
		return "book-" + id;
	}

	@Cacheable(cacheNames = "titles", sync = true)
	public String title(long id) {
		return TITLES.get(id);
	}

	@CacheEvict(cacheNames = "titles")
	public void rename(long id) {
	}

	/**
	 * Return how many times this context loaded a book.
	 * @return the loads
	 */
	public int loads() {
		return this.loads.get();
	}

	/**
	 * Call {@link #find(long)} for the same 100 missing keys from 16 threads in each
	 * context at once.
	 * @param contexts the applications
	 * @return how many times the loader ran in all of them
	 */
	static int stampede(List<? extends ApplicationContext> contexts) throws Exception {
		int before = LOADS.get();
		ExecutorService threads = Executors.newFixedThreadPool(16 * contexts.size());
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> callers = new ArrayList<>();
			for (ApplicationContext context : contexts) {
				TestBooks books = context.getBean(TestBooks.class);
				for (int thread = 0; thread < 16; thread++) {
					callers.add(threads.submit(() -> {
						start.await();
						for (long id = 1000; id < 1100; id++) {
							assertThat(books.find(id)).isEqualTo("book-" + id);
						}
						return null;
					}));
				}
			}
			start.countDown();
			for (Future<?> caller : callers) {
				caller.get(120, TimeUnit.SECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}
		return LOADS.get() - before;
	}

	/**
	 * Change a title in the store and evict it in {@code writer}, twenty times, and read
	 * it back in {@code reader} after each change.
	 * @param writer the application that writes
	 * @param reader the application that reads
	 */
	static void assertNoStaleReads(ApplicationContext writer, ApplicationContext reader) {
		TestBooks writes = writer.getBean(TestBooks.class);
		TestBooks reads = reader.getBean(TestBooks.class);
		for (int round = 0; round < 20; round++) {
			TITLES.put(7L, "title-" + round);
			writes.rename(7L);
			assertThat(reads.title(7L)).as("round %d", round).isEqualTo("title-" + round);
			assertThat(reads.title(7L)).as("round %d", round).isEqualTo("title-" + round);
		}
	}

	/**
	 * Caching with this service.
	 */
	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@EnableCaching
	@Import(TestBooks.class)
	static class Configuration {

	}

	/**
	 * Caching without any service.
	 */
	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingOnly {

	}

}
