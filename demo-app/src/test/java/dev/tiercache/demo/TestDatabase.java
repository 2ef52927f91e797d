package dev.tiercache.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fresh, empty H2 database file of the demo for one test (under
 * {@code target/test-databases}), so that no test shares the database of a demo a
 * developer runs, or of another test.
 */
final class TestDatabase {

	private TestDatabase() {
	}

	/**
	 * Return a new {@code demo.database.path} in a directory of its own.
	 */
	static String freshPath(String name) {
		try {
			Path directory = Files.createDirectories(Path.of("target", "test-databases"));
			return Files.createTempDirectory(directory, name + "-").toAbsolutePath().resolve("books").toString();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
