/**
 * The tiercache demo: a small book service in front of a deliberately slow store, cached
 * with {@code @Cacheable} as any Spring application would.
 */
@NullMarked
package dev.tiercache.demo;

import org.jspecify.annotations.NullMarked;
