package dev.tiercache.remote.peers;

import dev.tiercache.remote.RemoteTier.LocalStore;
import dev.tiercache.stats.StatsCounter;

/**
 * A cache as the peers tier knows it: its statistics, its local tier, the load leases it
 * hands out as an owner, what it removed recently (for hand-offs), and the keys whose
 * owner has not confirmed a write.
 *
 * @param name the cache name
 * @param stats the cache's statistics
 * @param local the cache's local tier
 * @param leases the load leases of the keys this member owns
 * @param removals keys removed or overwritten recently
 * @param unconfirmed keys not to be read from another member until their owner confirms a
 * write
 * @author tiercache
 */
record Registration(String name, StatsCounter stats, LocalStore local, LeaseTable leases, RecentRemovals removals,
		UnconfirmedWrites unconfirmed) {
}
