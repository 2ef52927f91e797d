/**
 * tiercache: a Spring {@link org.springframework.cache.CacheManager} whose caches have a
 * local Caffeine tier in front of an optional remote tier.
 *
 * <p>
 * {@link dev.tiercache.TierCacheManager} creates one {@link dev.tiercache.TierCache} per
 * cache name, each configured by an immutable
 * {@link dev.tiercache.TierCacheConfiguration}. A read looks in the local tier first (no
 * I/O, no serialization, no allocation beyond Caffeine's); on a miss one caller per key
 * goes on to load while the others wait for it (see {@link dev.tiercache.flight}).
 */
@NullMarked
package dev.tiercache;

import org.jspecify.annotations.NullMarked;
