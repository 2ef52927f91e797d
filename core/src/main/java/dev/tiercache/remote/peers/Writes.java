package dev.tiercache.remote.peers;

import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.peers.PeerMessage.Type;
import org.jspecify.annotations.Nullable;

/**
 * The write path of the peers tier: the owner applies a write first (this member's
 * {@link Owner}, or the owner's through {@link PeerClient}), then the writer tells every
 * other member to drop its copy and waits for them, so that no read after the write
 * returns sees the old value. A write the owner did not apply is told to the owner as
 * well, and fails, so that the caller keeps its value locally.
 *
 * @author tiercache
 */
final class Writes {

	private final String self;

	private final Owner owner;

	private final PeerClient client;

	private final ValueCodec codec;

	Writes(String self, Owner owner, PeerClient client, ValueCodec codec) {
		this.self = self;
		this.owner = owner;
		this.client = client;
		this.codec = codec;
	}

	/**
	 * Store at the owner, then tell every other member to drop its copy; if the owner did
	 * not take the write (it is gone, or does not own the key in its view), the owner is
	 * told too, and the write fails so that the caller keeps its value locally.
	 */
	void store(Registration registration, String owner, Object key, CacheEntry entry) {
		PeerClient client = this.client;
		byte[] keyBytes = this.codec.encode(key);
		if (this.self.equals(owner)) {
			this.owner.store(registration, key, entry);
			client.invalidateOthers(registration, null, keyBytes);
			return;
		}
		byte[] value = this.codec.encode(entry.get());
		registration.removals().removed(key, System.nanoTime());
		boolean applied = false;
		try {
			applied = client.put(registration, owner, keyBytes, value, entry.ttlNanos());
		}
		finally {
			client.invalidateOthers(registration, applied ? owner : null, keyBytes);
		}
		if (!applied) {
			throw new RemoteTierException("Peer '" + owner + "' refused a write (views differ); kept locally");
		}
	}

	/**
	 * Store at the owner unless it has an entry; if it stored, the others drop their
	 * copies.
	 * @return the entry that was there, or {@code null}
	 */
	@Nullable CacheEntry storeIfAbsent(Registration registration, String owner, Object key, CacheEntry entry) {
		PeerClient client = this.client;
		byte[] keyBytes = this.codec.encode(key);
		if (this.self.equals(owner)) {
			CacheEntry existing = this.owner.storeIfAbsent(registration, key, entry);
			if (existing == null) {
				client.invalidateOthers(registration, null, keyBytes);
			}
			return existing;
		}
		byte[] value = this.codec.encode(entry.get());
		PeerMessage reply = client.putIfAbsent(registration, owner, keyBytes, value, entry.ttlNanos());
		if (reply.type() == Type.VALUE) {
			return new CacheEntry(this.codec.decode(reply.value()), reply.ttlNanos());
		}
		registration.removals().removed(key, System.nanoTime());
		client.invalidateOthers(registration, owner, keyBytes);
		return null;
	}

	/**
	 * Remove at the owner, then tell every other member to drop its copy (the owner too,
	 * if it did not answer).
	 * @return whether the owner held the key
	 */
	boolean evict(Registration registration, String owner, Object key) {
		PeerClient client = this.client;
		byte[] keyBytes = this.codec.encode(key);
		if (this.self.equals(owner)) {
			boolean removed = this.owner.forget(registration, key);
			client.invalidateOthers(registration, null, keyBytes);
			return removed;
		}
		registration.removals().removed(key, System.nanoTime());
		boolean applied = false;
		try {
			boolean removed = client.evict(registration, owner, keyBytes).ttlNanos() == 1;
			applied = true;
			return removed;
		}
		finally {
			// A failed eviction is told to the owner too: whoever holds the key drops it.
			client.invalidateOthers(registration, applied ? owner : null, keyBytes);
		}
	}

	/**
	 * Clear this member, then every other.
	 * @return whether any member held an entry
	 */
	boolean clear(Registration registration) {
		boolean here = this.owner.clear(registration);
		return this.client.clearOthers(registration) || here;
	}

}
