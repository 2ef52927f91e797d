package dev.tiercache.stats;

/**
 * The events a cache counts. The names follow groupcache's statistics where one exists.
 *
 * @author tiercache
 */
public enum Counter {

	/** A read answered by the main tier (keys this node is authoritative for). */
	MAIN_HITS,

	/** A read answered by the hot tier (local copies of entries stored elsewhere). */
	HOT_HITS,

	/** A read answered by the remote tier (the owner peer or Redis). */
	REMOTE_HITS,

	/** A read that found nothing, locally or remotely. */
	MISSES,

	/** A loader run by this node that returned a value (or {@code null}). */
	LOADS,

	/** A loader run by this node that threw. */
	LOAD_FAILURES,

	/** A caller that waited for a load already under way instead of loading again. */
	LOADS_DEDUPLICATED,

	/** A value written by {@code put} or {@code putIfAbsent}. */
	PUTS,

	/** An entry removed by {@code evict}, {@code evictIfPresent} or {@code clear}. */
	REMOVALS,

	/**
	 * An entry dropped by the local tier because of its size bound or its time to live.
	 */
	EVICTIONS,

	/** A caller that waited for a cluster-wide lease held by another node. */
	LEASE_WAITS,

	/**
	 * A request to a peer that failed or timed out, after which this node loaded locally.
	 */
	PEER_ERRORS,

	/** A Redis command that failed, after which this node used its local tier. */
	REDIS_ERRORS,

	/** A request this node answered for a peer. */
	SERVER_REQUESTS,

	/** An invalidation this node sent to the others. */
	INVALIDATIONS_SENT,

	/** An invalidation this node received from another node. */
	INVALIDATIONS_RECEIVED,

	/**
	 * An entry this node took over from its previous owner after a membership change.
	 */
	HANDOFF_ENTRIES,

	/**
	 * A payload refused by the codec or the protocol: a class outside the allow-list, a
	 * malformed or oversized message, or a value that could not be serialized.
	 */
	REJECTED_PAYLOADS,

	/**
	 * A remote read that found the entry of another key with the same name (or of an
	 * older format) and took it for a miss: keys whose string forms are equal share one
	 * Redis entry, and each reloads when the other replaced it.
	 */
	KEY_COLLISIONS,

	/**
	 * Reads from the remote tier that neither waited for a lease nor ran a loader on this
	 * node, timed in {@link #REMOTE_FETCH_NANOS}.
	 */
	REMOTE_FETCHES,

	/**
	 * Total nanoseconds of the {@link #REMOTE_FETCHES}.
	 */
	REMOTE_FETCH_NANOS,

	/**
	 * Writes to the remote tier (put, evict, clear), each until the other nodes confirmed
	 * its invalidation or the wait timed out, timed in {@link #REMOTE_WRITE_NANOS}.
	 */
	REMOTE_WRITES,

	/**
	 * Total nanoseconds of the {@link #REMOTE_WRITES}.
	 */
	REMOTE_WRITE_NANOS,

	/**
	 * A refresh ahead of expiry ({@code refresh-after}) whose loader this node ran and
	 * that returned; the loader is also counted in {@link #LOADS}.
	 */
	REFRESHES,

	/**
	 * A refresh ahead of expiry that failed on this node: its loader threw (also counted
	 * in {@link #LOAD_FAILURES}) or the remote tier could not take it. The old value is
	 * served until its time to live ends.
	 */
	REFRESH_FAILURES

}
