package dev.tiercache.demo;

import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.Repository;

/**
 * The {@code book} table, through Spring Data JDBC.
 *
 * @author tiercache
 */
interface BookRepository extends Repository<Book, Long> {

	Optional<Book> findById(long id);

	@Modifying
	@Query("UPDATE book SET title = :title WHERE id = :id")
	int updateTitle(long id, String title);

}
