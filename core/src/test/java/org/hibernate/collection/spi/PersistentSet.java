package org.hibernate.collection.spi;

import java.util.HashSet;

/**
 * Stands for Hibernate's wrapper of a mapped {@code Set}: only its name matters to the
 * codec, which must never need Hibernate on its classpath.
 */
public class PersistentSet<E> extends HashSet<E> {

}
