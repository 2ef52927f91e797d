/**
 * Single-flight: however many callers ask for one missing key at once, one of them (the
 * leader) loads it and the others wait for its result, as groupcache's
 * {@code singleflight} package does.
 *
 * <p>
 * {@link dev.tiercache.flight.SingleFlight} keeps one {@link dev.tiercache.flight.Flight}
 * per key under way. The first caller registers a flight and runs the work; a caller that
 * finds a flight registered waits for it (blocking for {@code Cache.get(key, Callable)},
 * with a future for {@code Cache.retrieve(key, Supplier)}). An eviction or clear
 * <em>forgets</em> the flights it overtakes: later callers start a new flight, and the
 * forgotten flight's result is handed to its waiters but never stored, because
 * {@link dev.tiercache.flight.SingleFlight#admit} checks that a flight is still current
 * in the same atomic step that stores its result. A refresh ahead of expiry runs as a
 * flight too, but only when no flight of its key is under way
 * ({@link dev.tiercache.flight.SingleFlight#executeIfIdle}).
 *
 * <p>
 * {@link dev.tiercache.flight.SingleFlightCacheOperationSource} turns plain
 * {@code @Cacheable} methods into {@code sync = true} ones, so that they use
 * single-flight too ({@code tiercache.single-flight=always}).
 */
@NullMarked
package dev.tiercache.flight;

import org.jspecify.annotations.NullMarked;
