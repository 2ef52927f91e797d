package dev.tiercache.benchmarks.jmh;

import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.benchmarks.Book;

import org.springframework.cache.annotation.Cacheable;

/**
 * The application's cached service, as a Spring user writes it.
 *
 * @author tiercache
 */
public class BookService {

	private final AtomicLong loads = new AtomicLong();

	/**
	 * Find a book: Spring asks the cache with {@code get(key)}, then loads and puts.
	 * @param id the book's id
	 * @return the book
	 */
	@Cacheable("books")
	public Book find(Long id) {
		this.loads.incrementAndGet();
		return Book.of(id);
	}

	/**
	 * Find a book with {@code sync = true}: Spring asks the cache with
	 * {@code get(key, Callable)}.
	 * @param id the book's id
	 * @return the book
	 */
	@Cacheable(cacheNames = "books", sync = true)
	public Book findSync(Long id) {
		this.loads.incrementAndGet();
		return Book.of(id);
	}

	/**
	 * Return how many times a book was loaded.
	 * @return the loads
	 */
	public long loads() {
		return this.loads.get();
	}

}
