/**
 * Peers mode: the application's own instances are the remote tier, groupcache-style.
 *
 * <p>
 * Members find each other with JGroups ({@link dev.tiercache.remote.peers.JGroupsStack},
 * discovery by {@link dev.tiercache.remote.peers.Discovery}). Each view becomes a
 * {@link dev.tiercache.remote.peers.HashRing} over the members' logical names (rendezvous
 * hashing), rebuilt off the JGroups delivery thread, and the ring decides which member
 * owns a key. The owner keeps the entry in its main tier; the others keep popular copies
 * in their hot tiers.
 *
 * <p>
 * Members talk with a compact binary {@link dev.tiercache.remote.peers.PeerMessage} over
 * a {@code MessageDispatcher}: requests are out-of-band and answered asynchronously, so a
 * request for a key that is being loaded is parked (in the owner's
 * {@link dev.tiercache.remote.peers.LeaseTable}) instead of blocking a JGroups thread. A
 * load is single-flight across the cluster: whoever asks the owner first gets a lease and
 * runs the loader, extending the lease while it runs, sends the value back to the owner,
 * and the owner answers every parked request; a request parked for half the rpc timeout
 * is told to ask again, so a dead owner is noticed in time. A member that is not the
 * owner answers {@code NOT_OWNER} instead of forwarding, so a request never travels in a
 * loop while members' views differ; the caller then loads locally and keeps the value in
 * hot only. Synchronous reads travel on a transport of tiercache's own
 * ({@link dev.tiercache.remote.peers.FetchTransport}): one selector thread per member
 * serves every peer's connection inline, a member's threads share one connection per
 * owner (the callers write their requests, together when several wait, and a reader
 * thread wakes each with its answer), and an owner that cannot be reached that way is
 * asked through JGroups. Writes go to the owner ({@link dev.tiercache.remote.peers.Owner}
 * on its side, {@link dev.tiercache.remote.peers.PeerClient} on the writer's), and the
 * writer then tells every other member to drop its copy and waits (at most
 * {@code rpc-timeout}) for their answers; a write the owner did not apply is told to the
 * owner too, and no member reads that key from another until the owner confirms the write
 * ({@link dev.tiercache.remote.peers.UnconfirmedWrites}), since a slow owner serves the
 * old value until it applies the write late. A refresh ahead of expiry
 * ({@code refresh-after}, {@link dev.tiercache.remote.peers.Refreshes}) asks the owner
 * for the same lease, which it grants only while its entry is due and no one holds the
 * lease, never parking the request; the value is stored under the lease and the other
 * members drop their copies, as after a write.
 *
 * <p>
 * On a view change, main entries whose owner changed are handed to the new owner in
 * batches ({@link dev.tiercache.remote.peers.Handoff}), in the background; a graceful
 * stop hands everything off before leaving. A member refuses a handed-off entry of a key
 * it saw removed, written or cleared in the last seconds
 * ({@link dev.tiercache.remote.peers.RecentRemovals}), so a hand-off never brings back
 * what the cluster removed. A merge after a partition clears the local tiers, since
 * either side may have changed the same keys.
 */
@NullMarked
package dev.tiercache.remote.peers;

import org.jspecify.annotations.NullMarked;
