package dev.tiercache.demo;

import java.io.Serializable;

/**
 * A book of the demo store.
 *
 * @param id the book's id
 * @param title its title
 * @author tiercache
 */
public record Book(long id, String title) implements Serializable {
}
