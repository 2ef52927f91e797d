/**
 * Redis mode: Redis holds the authoritative copy of every entry and each node keeps a
 * bounded hot copy (a near cache).
 *
 * <p>
 * An entry lives at {@code key-prefix + cache + "::{" + key + "}"} with {@code PX} set to
 * its time to live. A load is single-flight across the cluster with a per-key lease,
 * {@code SET lock token NX PX lease-timeout}: the holder loads, stores the value only if
 * it still holds the lease (a Lua compare-and-set, so an eviction that deleted the lease
 * during the load wins), and publishes "loaded"; waiters wake on that message and
 * re-check after a bounded wait anyway. Every write deletes the lease too. Writes publish
 * an invalidation; the writer waits (briefly, bounded) for the other nodes to confirm
 * they dropped their hot copies, so a read after an eviction does not see the old value.
 *
 * <p>
 * A circuit breaker stops sending commands to a Redis that keeps failing and probes it
 * again later; meanwhile every cache runs on its hot tier and its loader, and evictions
 * that could not be sent are replayed when Redis is back. When the connection or the
 * invalidation subscription (watched with a heartbeat) comes back, every hot tier is
 * cleared, because invalidations may have been missed.
 */
@NullMarked
package dev.tiercache.remote.redis;

import org.jspecify.annotations.NullMarked;
