package dev.tiercache.demo;

import java.util.Map;

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
	public Map<String, Long> storeStats() {
		return Map.of("loads", this.store.loads());
	}

	/**
	 * The body of {@code PUT /api/books/{id}}.
	 *
	 * @param title the new title
	 */
	public record TitleUpdate(String title) {
	}

}
