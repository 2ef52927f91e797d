/**
 * Micrometer metrics of tiercache caches, bound the Spring Boot way: a
 * {@code CacheMeterBinderProvider} for the standard {@code cache.*} meters plus the
 * {@code tiercache.*} tier meters, and binding of caches created after start-up.
 */
@NullMarked
package dev.tiercache.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
