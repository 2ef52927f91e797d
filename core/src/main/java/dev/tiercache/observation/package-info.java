/**
 * What tiercache reports of its slow operations (loads, remote fetches, lease waits) to a
 * tracing or timing system, such as Micrometer's Observation API in Spring Boot: one
 * {@link dev.tiercache.observation.TierCacheObserver} per manager, called only off the
 * hit path.
 */
@NullMarked
package dev.tiercache.observation;

import org.jspecify.annotations.NullMarked;
