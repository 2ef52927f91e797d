package dev.tiercache.remote.peers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.tiercache.codec.CodecException;
import dev.tiercache.codec.KeyNames;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.local.CacheEntry;
import dev.tiercache.remote.Rejections;
import dev.tiercache.remote.peers.PeerMessage.Type;
import dev.tiercache.stats.Counter;
import org.jgroups.Address;

/**
 * Moves main entries to their new owner when the view changes, and takes the entries
 * other members move here.
 *
 * <p>
 * The sender reads each entry from its main tier when it builds the batch that carries
 * it, not when the view changed, and sends batches of about {@value #BATCH_BYTES} bytes
 * one at a time, so large values move and a batch is never refused for its size. An entry
 * may still be overtaken in flight by an eviction, a write or a clear; the member that
 * takes it has seen that change (as the owner, the writer, or a member told to drop its
 * copy) and refuses such an entry ({@link RecentRemovals}), so a hand-off never brings
 * back what the cluster removed.
 *
 * @author tiercache
 */
final class Handoff {

	static final int BATCH_BYTES = 1024 * 1024;

	/** Room for the envelope of a batch in a {@link PeerMessage}. */
	private static final int ENVELOPE = 1024;

	private final PeerChannel channel;

	private final ValueCodec codec;

	private final Rejections rejections;

	private final long timeoutMillis;

	Handoff(PeerChannel channel, ValueCodec codec, Rejections rejections, long timeoutMillis) {
		this.channel = channel;
		this.codec = codec;
		this.rejections = rejections;
		this.timeoutMillis = timeoutMillis;
	}

	/**
	 * Send every main entry whose owner in {@code ring} is another member to that member,
	 * and drop the ones it took.
	 */
	void send(Collection<Registration> registrations, HashRing ring, Membership membership) {
		for (Registration registration : registrations) {
			Map<String, List<Object>> moves = new HashMap<>();
			registration.local().forEachOwned((key, entry) -> {
				String owner;
				try {
					owner = ring.ownerOf(registration.name() + ":" + KeyNames.name(registration.name(), key));
				}
				catch (CodecException ex) {
					return;
				}
				if (!owner.equals(this.channel.self()) && entry.isStorable()) {
					moves.computeIfAbsent(owner, (o) -> new ArrayList<>()).add(key);
				}
			});
			moves.forEach((owner, keys) -> {
				Address target = membership.addresses().get(owner);
				if (target != null) {
					sendAll(registration, target, keys);
				}
			});
		}
	}

	private void sendAll(Registration registration, Address target, List<Object> keys) {
		Batch batch = new Batch();
		for (Object key : keys) {
			CacheEntry entry = registration.local().getOwned(key);
			if (entry == null || !entry.isStorable()) {
				continue;
			}
			byte[] keyBytes;
			byte[] value;
			try {
				keyBytes = this.codec.encode(key);
				value = entry.encodedValue(this.codec::encode);
			}
			catch (CodecException ex) {
				this.rejections.record(registration.stats(), ex);
				continue;
			}
			int size = keyBytes.length + value.length + 16;
			if (size > PeerMessage.MAX_SIZE - ENVELOPE) {
				continue;
			}
			if (batch.size() + size > BATCH_BYTES && !batch.isEmpty()) {
				if (!send(registration, target, batch)) {
					return;
				}
				batch = new Batch();
			}
			batch.add(key, keyBytes, value, entry.ttlNanos());
		}
		if (!batch.isEmpty()) {
			send(registration, target, batch);
		}
	}

	private boolean send(Registration registration, Address target, Batch batch) {
		PeerMessage message = PeerMessage.of(Type.HANDOFF, registration.name()).withValue(batch.bytes(), 0);
		try {
			byte[] reply = this.channel.requestRaw(target, message.encode(), this.timeoutMillis);
			if (reply == null || PeerMessage.decode(reply, 0, reply.length).type() != Type.OK) {
				// Not taken (the new owner has no such cache, say): keep the entries.
				registration.stats().record(Counter.PEER_ERRORS);
				return false;
			}
		}
		catch (Exception ex) {
			registration.stats().record(Counter.PEER_ERRORS);
			return false;
		}
		batch.keys().forEach((key) -> registration.local().removeOwned(key));
		return true;
	}

	/**
	 * Store the entries of a hand-off this member lacks, unless the key was removed,
	 * overwritten or cleared here within the hand-off window.
	 * @return how many entries were stored
	 * @throws CodecException if the batch is malformed
	 */
	int take(Registration registration, byte[] payload) {
		int taken = 0;
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
			while (in.available() > 0) {
				byte[] keyBytes = in.readNBytes(checkedLength(in));
				byte[] value = in.readNBytes(checkedLength(in));
				long ttl = in.readLong();
				Object key;
				CacheEntry entry;
				try {
					key = this.codec.decode(keyBytes);
					entry = new CacheEntry(this.codec.decode(value), ttl);
				}
				catch (CodecException ex) {
					// One refused entry does not cost the others.
					this.rejections.record(registration.stats(), ex);
					continue;
				}
				if (key == null || ttl <= 0) {
					continue;
				}
				synchronized (registration.leases()) {
					if (!registration.removals().recentlyRemoved(key, System.nanoTime())
							&& registration.local().getOwned(key) == null) {
						registration.local().storeOwned(key, entry);
						taken++;
					}
				}
			}
		}
		catch (IOException ex) {
			throw new CodecException("Dropped a malformed handoff of " + payload.length + " bytes", ex);
		}
		return taken;
	}

	private static int checkedLength(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 0 || length > in.available()) {
			throw new CodecException("Dropped a handoff with a field length of " + length);
		}
		return length;
	}

	/**
	 * Entries on their way to one member, in the wire form {@link #take} reads.
	 */
	private static final class Batch {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private final DataOutputStream out = new DataOutputStream(this.bytes);

		private final List<Object> keys = new ArrayList<>();

		void add(Object key, byte[] keyBytes, byte[] value, long ttlNanos) {
			try {
				this.out.writeInt(keyBytes.length);
				this.out.write(keyBytes);
				this.out.writeInt(value.length);
				this.out.write(value);
				this.out.writeLong(ttlNanos);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.keys.add(key);
		}

		int size() {
			return this.bytes.size();
		}

		boolean isEmpty() {
			return this.keys.isEmpty();
		}

		byte[] bytes() {
			return this.bytes.toByteArray();
		}

		List<Object> keys() {
			return this.keys;
		}

	}

}
