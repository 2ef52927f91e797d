package dev.tiercache.demo;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo's HTTP API.
 *
 * @author tiercache
 */
@RestController
public class BookController {

	private final BookService books;

	private final BookStore store;

	public BookController(BookService books, BookStore store) {
		this.books = books;
		this.store = store;
	}

	@GetMapping("/api/books/{id}")
	public ResponseEntity<Book> get(@PathVariable long id) {
		Book book = this.books.find(id);
		return (book != null) ? ResponseEntity.ok(book) : ResponseEntity.notFound().build();
	}

	@PutMapping("/api/books/{id}")
	public ResponseEntity<Book> update(@PathVariable long id, @RequestBody TitleUpdate update) {
		if (update.title() == null || update.title().isBlank()) {
			return ResponseEntity.badRequest().build();
		}
		Book book = this.books.updateTitle(id, update.title());
		return (book != null) ? ResponseEntity.ok(book) : ResponseEntity.notFound().build();
	}

	@GetMapping("/api/store/stats")
	public StoreStats storeStats() {
		return new StoreStats(this.store.loads(), this.store.clusterLoads());
	}

	/**
	 * Reads of the book table, counted in the database.
	 *
	 * @param loads this node's reads since it started
	 * @param clusterLoads every node's reads since the database was last reset
	 */
	public record StoreStats(long loads, long clusterLoads) {
	}

	/**
	 * The body of {@code PUT /api/books/{id}}.
	 *
	 * @param title the new title
	 */
	public record TitleUpdate(String title) {
	}

}
