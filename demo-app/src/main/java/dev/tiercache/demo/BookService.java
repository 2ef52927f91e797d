package dev.tiercache.demo;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * Books through the cache. Reads are {@code sync = true}, so concurrent misses of one
 * book read the store once. An update writes the store first and then evicts the cache
 * entry (never the other way round, and never by writing the cache), so no reader can put
 * the old value back after the update.
 *
 * @author tiercache
 */
@Service
public class BookService {

	private final BookStore store;

	public BookService(BookStore store) {
		this.store = store;
	}

	/**
	 * Return a book; an unknown id is cached as {@code null} for {@code null-ttl}.
	 * @param id the book's id
	 * @return the book, or {@code null}
	 */
	@Cacheable(cacheNames = "books", sync = true)
	public @Nullable Book find(long id) {
		return this.store.find(id);
	}

	/**
	 * Update a book's title in the store, then evict it from the cache.
	 * @param id the book's id
	 * @param title the new title
	 * @return the updated book, or {@code null} if there is none with that id
	 */
	@CacheEvict(cacheNames = "books", key = "#id")
	public @Nullable Book updateTitle(long id, String title) {
		return this.store.updateTitle(id, title);
	}

}
