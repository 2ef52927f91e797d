package org.hibernate.collection.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;

/**
 * Stands for Hibernate's wrapper of a mapped {@code List} without an index column; one
 * that is not initialized throws on every read, as a lazy collection whose session is
 * closed does.
 */
public class PersistentBag<E> extends ArrayList<E> {

	private final boolean initialized;

	public PersistentBag(Collection<E> elements) {
		super(elements);
		this.initialized = true;
	}

	private PersistentBag() {
		this.initialized = false;
	}

	public static <E> PersistentBag<E> uninitialized() {
		return new PersistentBag<>();
	}

	@Override
	public int size() {
		read();
		return super.size();
	}

	@Override
	public Object[] toArray() {
		read();
		return super.toArray();
	}

	@Override
	public Iterator<E> iterator() {
		read();
		return super.iterator();
	}

	private void read() {
		if (!this.initialized) {
			throw new IllegalStateException("failed to lazily initialize a collection: no session");
		}
	}

}
