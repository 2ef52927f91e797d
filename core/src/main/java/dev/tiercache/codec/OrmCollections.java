package dev.tiercache.codec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replaces the collections an ORM puts into entities with the plain JDK collections they
 * stand for, when a value is written. Hibernate wraps every mapped collection
 * ({@code org.hibernate.collection.spi.PersistentSet}, {@code PersistentBag},
 * {@code PersistentList}, {@code PersistentMap}, {@code PersistentSortedSet},
 * {@code PersistentSortedMap}, {@code PersistentIdentifierBag}); written as they are,
 * those classes would make every entity unreadable to a node that does not allow
 * Hibernate's packages, and would need Hibernate and a session on the reader. They are
 * recognised by name, so tiercache does not depend on Hibernate.
 *
 * @author tiercache
 */
final class OrmCollections {

	private static final String HIBERNATE_COLLECTIONS = "org.hibernate.collection.";

	private OrmCollections() {
	}

	/**
	 * Return a plain copy of {@code value} if it is an ORM's collection, else
	 * {@code value} itself. Sorted sets and maps keep their comparator; other sets and
	 * maps keep their order.
	 * @param value any object being written
	 * @return the object to write instead
	 * @throws CodecException if the collection cannot be read, as a lazy collection that
	 * was never initialized cannot
	 */
	static Object replace(Object value) {
		String name = value.getClass().getName();
		if (!name.startsWith(HIBERNATE_COLLECTIONS)) {
			return value;
		}
		try {
			return copy(value);
		}
		catch (RuntimeException ex) {
			// Hibernate's LazyInitializationException: the session that could load it is
			// gone.
			throw new CodecException("it contains a Hibernate collection (" + name + ") that is not initialized, "
					+ "so it cannot be copied into a plain collection: " + ex.getMessage() + ". Fetch it before "
					+ "the value is cached (a join fetch, an entity graph or Hibernate.initialize), or cache a DTO",
					ex);
		}
	}

	private static Object copy(Object value) {
		if (value instanceof SortedSet<?> set) {
			return new TreeSet<>(set);
		}
		if (value instanceof Set<?> set) {
			return new LinkedHashSet<>(set);
		}
		if (value instanceof SortedMap<?, ?> map) {
			return new TreeMap<>(map);
		}
		if (value instanceof Map<?, ?> map) {
			return new LinkedHashMap<>(map);
		}
		if (value instanceof Collection<?> collection) {
			return new ArrayList<>(collection);
		}
		// Not a collection (an array holder, say): the allow-list decides.
		return value;
	}

}
