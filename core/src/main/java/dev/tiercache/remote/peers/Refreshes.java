package dev.tiercache.remote.peers;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.RemoteTier.Loader;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.jspecify.annotations.Nullable;

/**
 * Refreshes ahead of expiry in peers mode, single-flight in the cluster under the owner's
 * lease, the one loads take:
 *
 * <pre>
 * this member owns the key: Owner.refresh
 *     entry due (remaining ttl &lt;= window) or gone, lease free? take it, run the loader,
 *     store in main if the lease still holds | else nothing
 * another member owns it: REFRESH (window) to the owner
 *     LEASED -> run the loader here, extending the lease; STORE_LEASED to the owner
 *     OK     -> nothing to refresh: the entry is fresh (refreshed or written since this
 *               member's copy was fetched), or another caller holds the lease
 *     otherwise -> a peer error; the old value stays until its ttl
 * then, when the loader ran: every other member drops its copy, as after a write
 * </pre>
 *
 * A write or an eviction at the owner cancels the lease, so a refresh that began before
 * it is not stored after it, exactly as a load is not.
 *
 * @author tiercache
 */
final class Refreshes {

	private static final byte[] NO_VALUE = new byte[0];

	private final String self;

	private final PeerChannel channel;

	private final Owner owner;

	private final PeerClient client;

	private final ValueCodec codec;

	private final long rpcMillis;

	Refreshes(PeerChannel channel, Owner owner, PeerClient client, ValueCodec codec, long rpcMillis) {
		this.self = channel.self();
		this.channel = channel;
		this.owner = owner;
		this.client = client;
		this.codec = codec;
		this.rpcMillis = rpcMillis;
	}

	/**
	 * Refresh {@code key}, owned by {@code member}, if its entry is due.
	 * @return the loaded entry, or {@code null} if there was nothing to refresh
	 */
	@Nullable CacheEntry refresh(Registration registration, String member, Object key, long windowNanos, Loader loader) {
		byte[] keyBytes = this.codec.encode(key);
		if (this.self.equals(member)) {
			CacheEntry loaded = this.owner.refresh(registration, key, windowNanos, loader);
			if (loaded != null) {
				this.client.invalidateOthers(registration, null, keyBytes);
			}
			return loaded;
		}
		PeerMessage reply = this.channel.request(registration.stats(), member,
				PeerMessage.of(Type.REFRESH, registration.name(), keyBytes).withValue(NO_VALUE, windowNanos),
				this.rpcMillis);
		if (reply.type() == Type.OK) {
			return null;
		}
		if (reply.type() != Type.LEASED || reply.token() <= 0) {
			registration.stats().record(Counter.PEER_ERRORS);
			throw new RemoteTierException("Peer '" + member + "' answered " + reply.type() + " to a refresh of a "
					+ "key of cache '" + registration.name() + "'; the old value stays until its ttl");
		}
		CacheEntry loaded = this.client.loadUnderLease(registration, member, keyBytes, reply.token(), loader);
		// Stored at the owner unless a write overtook it; either way no copy of the old
		// value may stay, here or elsewhere.
		this.client.invalidateOthers(registration, member, keyBytes);
		registration.local().invalidate(key);
		return loaded;
	}

}
