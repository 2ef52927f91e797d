package org.hibernate.collection.spi;

import java.util.HashMap;

/**
 * Stands for Hibernate's wrapper of a mapped {@code Map}.
 */
public class PersistentMap<K, V> extends HashMap<K, V> {

}
