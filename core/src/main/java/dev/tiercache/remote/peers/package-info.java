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
 * runs the loader, sends the value back to the owner, and the owner answers every parked
 * request. A member that is not the owner answers {@code NOT_OWNER} instead of
 * forwarding, so a request never travels in a loop while members' views differ; the
 * caller then loads locally and keeps the value in hot only. Writes go to the owner, and
 * the writer then tells every other member to drop its hot copy and waits (at most
 * {@code rpc-timeout}) for their answers.
 *
 * <p>
 * On a view change, main entries whose owner changed are handed to the new owner in
 * batches, in the background; a graceful stop hands everything off before leaving. A
 * merge after a partition clears the local tiers, since either side may have changed the
 * same keys.
 */
@NullMarked
package dev.tiercache.remote.peers;

import org.jspecify.annotations.NullMarked;
