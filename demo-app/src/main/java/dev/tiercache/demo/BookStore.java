package dev.tiercache.demo;

import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

/**
 * The slow backing store the cache shields: the {@code book} table of a database every
 * node shares. Every read takes {@code demo.store.latency} more and is counted in the
 * database itself ({@link StoreReads}), so that {@code GET /api/store/stats} shows the
 * effect of caching across the whole cluster.
 *
 * @author tiercache
 */
@Component
public class BookStore {

	private final BookRepository books;

	private final StoreReads reads;

	private final long latencyNanos;

	BookStore(BookRepository books, StoreReads reads, BookStoreProperties properties) {
		this.books = books;
		this.reads = reads;
		this.latencyNanos = properties.latency().toNanos();
	}

	/**
	 * Read a book, slowly.
	 * @param id the book's id
	 * @return the book, or {@code null} if there is none with that id
	 */
	public @Nullable Book find(long id) {
		this.reads.increment();
		LockSupport.parkNanos(this.latencyNanos);
		return this.books.findById(id).orElse(null);
	}

	/**
	 * Change a book's title in the database.
	 * @param id the book's id
	 * @param title the new title
	 * @return the updated book, or {@code null} if there is none with that id
	 */
	public @Nullable Book updateTitle(long id, String title) {
		return (this.books.updateTitle(id, title) > 0) ? new Book(id, title) : null;
	}

	/**
	 * Return how many times this node read the store since it started.
	 * @return the number of reads
	 */
	public long loads() {
		return this.reads.thisNode();
	}

	/**
	 * Return how many times every node read the store since the database was last reset.
	 * @return the number of reads in the cluster
	 */
	public long clusterLoads() {
		return this.reads.cluster();
	}

}
