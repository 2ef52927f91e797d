/**
 * Redis mode: Redis holds the authoritative copy of every entry and each node keeps a
 * bounded hot copy (a near cache).
 *
 * <p>
 * An entry lives at {@code key-prefix + cache + "::{" + key name + "}"} (names escaped
 * into a non-empty hash tag, so that the entry and its lease share a cluster slot) with
 * {@code PX} set to its time to live; its value is stamped with a digest of its key
 * ({@link KeyStamps}), so keys whose names are equal never read each other's value. A
 * load is single-flight across the cluster with a per-key lease,
 * {@code SET lock token NX PX lease-timeout}: the holder extends it every
 * {@code lease-timeout / 3} while it loads, stores the value only if it still holds the
 * lease (a Lua compare-and-set, so an eviction that deleted the lease during the load
 * wins), and publishes "loaded"; waiters wake on that message and re-check after a
 * bounded wait anyway, for as long as the lease lives. A lease whose store failed, or
 * that a timed-out script may have taken, is released. Every write deletes the lease too.
 * Writes publish an invalidation that names the key; the writer waits (briefly, bounded)
 * for the other nodes to confirm they dropped their hot copies of every key of that name:
 * every node heard by its heartbeat within three intervals ({@link Members}), since
 * {@code PUBLISH}'s count covers one Cluster node's subscribers only.
 *
 * <p>
 * A refresh ahead of expiry ({@code refresh-after}) takes the same lease with
 * {@code SET NX}, and only then reads the value's {@code PTTL}: if the entry is no longer
 * due (refreshed or written since the node's copy was fetched) it gives the lease back,
 * else it loads and stores under the lease as a load does, and invalidates as a write
 * does ({@link Leases#refresh}).
 *
 * <p>
 * A circuit breaker (Resilience4j) stops sending commands to a Redis that does not answer
 * and lets one trial through later; error replies do not count. Meanwhile every cache
 * runs on its hot tier and its loader, and evictions and invalidations that could not be
 * sent are replayed as soon as Redis answers. Hot tiers are cleared only when the
 * invalidation subscription had a gap: resubscribed (the client's
 * {@code SubscriptionListener}), or silent to the heartbeat; a subscription that stays
 * silent while Redis answers is started again, and so is one that does not hear its own
 * ping as soon as the circuit closes ({@link Outages}). With {@code on-outage=drop-hot},
 * hot copies are dropped when an outage begins and none is admitted until it ends.
 *
 * <p>
 * Optionally ({@code client-tracking}), Redis itself reports every change of a key under
 * the prefix ({@code CLIENT TRACKING ON BCAST}, RESP3 push, {@link ServerTracking}), so
 * hot copies also drop on writes by other clients, expiry, eviction and flushes; a
 * reconnect of that connection drops every hot copy.
 */
@NullMarked
package dev.tiercache.remote.redis;

import org.jspecify.annotations.NullMarked;
