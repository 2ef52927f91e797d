package dev.tiercache.benchmarks;

import java.io.Serializable;

/**
 * The value every contender caches: a book of about 1 KiB, serializable for the remote
 * tiers (tiercache's codec and {@code RedisCacheManager}'s default serializer alike).
 *
 * @param id the book's id
 * @param title its title
 * @param content 1,000 bytes standing in for the rest of the row
 */
public record Book(long id, String title, byte[] content) implements Serializable {

	/**
	 * Return the book with the given id, as the backing store would.
	 * @param id the id
	 * @return a new book of about 1 KiB
	 */
	public static Book of(long id) {
		return new Book(id, "book-" + id, new byte[1000]);
	}

}
