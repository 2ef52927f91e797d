package org.hibernate.collection.spi;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * Stands for Hibernate's wrapper of a mapped {@code SortedSet}.
 */
public class PersistentSortedSet<E> extends TreeSet<E> {

	public PersistentSortedSet(Comparator<? super E> comparator) {
		super(comparator);
	}

}
