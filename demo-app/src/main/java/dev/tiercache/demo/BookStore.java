package dev.tiercache.demo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * The slow backing store the cache shields: an in-memory table whose reads take
 * {@code demo.store.latency} and are counted, so that the effect of caching can be seen
 * at {@code GET /api/store/stats}.
 *
 * @author tiercache
 */
@Component
public class BookStore {

	private final Map<Long, Book> books = new ConcurrentHashMap<>();

	private final AtomicLong loads = new AtomicLong();

	private final long latencyNanos;

	public BookStore(BookStoreProperties properties) {
		this.latencyNanos = properties.latency().toNanos();
		for (long id = 1; id <= properties.size(); id++) {
			this.books.put(id, new Book(id, "Book " + id));
		}
	}

	/**
	 * Read a book, slowly.
	 * @param id the book's id
	 * @return the book, or {@code null} if there is none with that id
	 */
	public @Nullable Book find(long id) {
		this.loads.incrementAndGet();
		LockSupport.parkNanos(this.latencyNanos);
		return this.books.get(id);
	}

	/**
	 * Change a book's title.
	 * @param id the book's id
	 * @param title the new title
	 * @return the updated book, or {@code null} if there is none with that id
	 */
	public @Nullable Book updateTitle(long id, String title) {
		return this.books.computeIfPresent(id, (key, book) -> new Book(id, title));
	}

	/**
	 * Return how many times the store was read.
	 * @return the number of reads
	 */
	public long loads() {
		return this.loads.get();
	}

}
