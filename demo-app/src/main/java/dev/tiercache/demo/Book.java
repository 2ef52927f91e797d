package dev.tiercache.demo;

import java.io.Serializable;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A book of the demo store, a row of the {@code book} table. {@code @Table} tells Spring
 * Data that JDBC, not Redis, stores it.
 *
 * @param id the book's id
 * @param title its title
 * @author tiercache
 */
@Table
public record Book(@Id long id, String title) implements Serializable {
}
