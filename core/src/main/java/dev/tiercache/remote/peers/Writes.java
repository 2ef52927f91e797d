package dev.tiercache.remote.peers;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

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
 * well, and fails, so that the caller keeps its value locally. An owner that did not
 * answer may only be slow and still serve the old value: so every member is told not to
 * read the key from another member ({@link UnconfirmedWrites}) until the key has been
 * removed at the owner once it answers; then the others are told once more.
 *
 * <p>
 * Members install a new view one by one, milliseconds apart. A writer that still has the
 * old view does not know a member that has just joined, to which a member with the new
 * view may already have handed entries: so every answer to a write carries the view the
 * member that answered has installed, and a writer that hears of a newer view than the
 * one it wrote with, or installs one meanwhile, waits (at most {@code rpc-timeout}) until
 * it has that view too and tells every other member again before the write returns.
 *
 * @author tiercache
 */
final class Writes {

	/** How often a write the owner did not confirm is followed up. */
	static final int FOLLOW_UPS = 40;

	private final String self;

	private final Owner owner;

	private final PeerClient client;

	private final ValueCodec codec;

	private final PeerChannel channel;

	private final ScheduledExecutorService timers;

	private final long rpcMillis;

	/** What became of a write sent to the owner. */
	private enum Outcome {

		/** The owner applied it. */
		APPLIED,

		/** The owner answered that it does not own the key in its view. */
		REFUSED,

		/** The owner did not answer in time: it may be gone, or only slow. */
		UNANSWERED

	}

	Writes(PeerChannel channel, Owner owner, PeerClient client, ValueCodec codec, ScheduledExecutorService timers,
			long rpcMillis) {
		this.self = channel.self();
		this.channel = channel;
		this.owner = owner;
		this.client = client;
		this.codec = codec;
		this.timers = timers;
		this.rpcMillis = rpcMillis;
	}

	/**
	 * Store at the owner, then tell every other member to drop its copy; if the owner did
	 * not take the write (it is gone, or does not own the key in its view), the owner is
	 * told too, and the write fails so that the caller keeps its value locally.
	 */
	void store(Registration registration, String owner, Object key, CacheEntry entry) {
		byte[] keyBytes = this.codec.encode(key);
		long view = this.channel.viewId();
		try {
			storeAt(registration, owner, key, keyBytes, entry);
		}
		finally {
			catchUp(view, () -> invalidateAgain(registration, owner, key, keyBytes));
		}
	}

	private void storeAt(Registration registration, String owner, Object key, byte[] keyBytes, CacheEntry entry) {
		PeerClient client = this.client;
		if (this.self.equals(owner)) {
			this.owner.store(registration, key, entry);
			client.invalidateOthers(registration, null, keyBytes);
			return;
		}
		byte[] value = this.codec.encode(entry.get());
		registration.removals().removed(key, System.nanoTime());
		Outcome outcome = Outcome.UNANSWERED;
		try {
			outcome = client.put(registration, owner, keyBytes, value, entry.ttlNanos()) ? Outcome.APPLIED
					: Outcome.REFUSED;
		}
		finally {
			invalidateOthers(registration, outcome, owner, key, keyBytes);
		}
		if (outcome != Outcome.APPLIED) {
			throw new RemoteTierException("Peer '" + owner + "' did not take a write; kept locally");
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
		long view = this.channel.viewId();
		CacheEntry existing = storeIfAbsentAt(registration, owner, key, keyBytes, entry);
		if (existing == null) {
			catchUp(view, () -> client.invalidateOthers(registration, null, keyBytes));
		}
		return existing;
	}

	private @Nullable CacheEntry storeIfAbsentAt(Registration registration, String owner, Object key, byte[] keyBytes,
			CacheEntry entry) {
		PeerClient client = this.client;
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
		byte[] keyBytes = this.codec.encode(key);
		long view = this.channel.viewId();
		try {
			return evictAt(registration, owner, key, keyBytes);
		}
		finally {
			catchUp(view, () -> invalidateAgain(registration, owner, key, keyBytes));
		}
	}

	private boolean evictAt(Registration registration, String owner, Object key, byte[] keyBytes) {
		PeerClient client = this.client;
		if (this.self.equals(owner)) {
			boolean removed = this.owner.forget(registration, key);
			client.invalidateOthers(registration, null, keyBytes);
			return removed;
		}
		registration.removals().removed(key, System.nanoTime());
		Outcome outcome = Outcome.UNANSWERED;
		try {
			boolean removed = client.evict(registration, owner, keyBytes).ttlNanos() == 1;
			outcome = Outcome.APPLIED;
			return removed;
		}
		finally {
			invalidateOthers(registration, outcome, owner, key, keyBytes);
		}
	}

	/**
	 * Tell every other member to drop the key. A write the owner did not apply is told to
	 * the owner too (whoever holds the key drops it), and followed up. An owner that did
	 * not answer may only be slow: no member reads the key from another until the owner
	 * confirms the write.
	 */
	private void invalidateOthers(Registration registration, Outcome outcome, String owner, Object key,
			byte[] keyBytes) {
		switch (outcome) {
			case APPLIED -> this.client.invalidateOthers(registration, owner, keyBytes);
			case REFUSED -> {
				this.client.invalidateOthers(registration, null, keyBytes);
				followUp(registration, owner, key, keyBytes, false, 1);
			}
			case UNANSWERED -> {
				registration.unconfirmed().unconfirmed(key, this.self, owner, System.nanoTime());
				this.client.invalidateUnconfirmed(registration, owner, keyBytes);
				followUp(registration, owner, key, keyBytes, true, 1);
			}
		}
	}

	/**
	 * Tell every other member to drop the key once more, after a view change, with the
	 * mark of this member's write if the owner has not confirmed it, so that a member
	 * that has just joined does not read the key from that owner either. Another writer's
	 * mark is that writer's to send: a mark in this member's name would be lifted by no
	 * one and keep the key from being read from its owner until it lapses.
	 */
	private void invalidateAgain(Registration registration, String owner, Object key, byte[] keyBytes) {
		if (registration.unconfirmed().isMarkedBy(key, this.self)) {
			this.client.invalidateUnconfirmed(registration, owner, keyBytes);
		}
		else {
			this.client.invalidateOthers(registration, null, keyBytes);
		}
	}

	/**
	 * The owner did not confirm a write. If it is slow rather than gone (paused, starved
	 * of CPU) it applies the write late, and serves the old value until then. So, in the
	 * background, remove the key at the owner once it answers, then tell every other
	 * member to drop the key again and that it may be read from the owner again; every
	 * {@code rpc-timeout}, while the owner is in the view, at most {@value #FOLLOW_UPS}
	 * times. Removing is always safe: at worst a newer value is loaded again. An owner
	 * that left the view serves the key no more, so the members are told at once. Only a
	 * write that {@code marked} the key lifts this member's mark.
	 */
	private void followUp(Registration registration, String owner, Object key, byte[] keyBytes, boolean marked,
			int attempt) {
		if (!this.channel.isMember(owner)) {
			followedUp(registration, owner, key, keyBytes, marked);
			return;
		}
		this.client.evictAsync(registration, owner, keyBytes).whenComplete((reply, failure) -> {
			if (failure == null) {
				followedUp(registration, owner, key, keyBytes, marked);
			}
			else if (attempt < FOLLOW_UPS) {
				try {
					this.timers.schedule(() -> followUp(registration, owner, key, keyBytes, marked, attempt + 1),
							this.rpcMillis, TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException ex) {
					// Closing.
				}
			}
		});
	}

	private void followedUp(Registration registration, String owner, Object key, byte[] keyBytes, boolean marked) {
		if (marked) {
			registration.unconfirmed().confirmed(key, this.self);
		}
		this.client.invalidateOthersAsync(registration, owner, keyBytes, marked);
	}

	/**
	 * Clear this member, then every other.
	 * @return whether any member held an entry
	 */
	boolean clear(Registration registration) {
		long view = this.channel.viewId();
		boolean here = this.owner.clear(registration);
		boolean others = this.client.clearOthers(registration);
		catchUp(view, () -> this.client.clearOthers(registration));
		return others || here;
	}

	/**
	 * A write made with view {@code view} is over: if this member has installed a newer
	 * view since, or heard of one from a member that answered, wait until it has the
	 * newest and tell every other member {@code again}, so that a member that joined is
	 * told too.
	 * @throws RemoteTierException if this member's view did not catch up in time
	 */
	private void catchUp(long view, Runnable again) {
		PeerChannel channel = this.channel;
		long heard = channel.newestHeard();
		if (heard <= view && channel.viewId() == view) {
			return;
		}
		boolean caughtUp = channel.awaitView(heard, this.rpcMillis);
		again.run();
		if (!caughtUp) {
			throw new RemoteTierException("A member has installed view " + heard + " and this member has not within "
					+ this.rpcMillis + " ms; the write may have missed a member that joined");
		}
	}

}
