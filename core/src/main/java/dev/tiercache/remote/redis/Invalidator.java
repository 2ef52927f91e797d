package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.redis.EventMessage.Type;
import dev.tiercache.stats.Counter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Tells the other nodes what changed, on the event channel, and waits (bounded) for their
 * acknowledgements on this node's ack channel; applies what the other nodes publish and
 * acknowledges it. A write waits for every node that {@link Members} knows from its
 * heartbeats, and for at least as many acknowledgements as {@code PUBLISH} counted other
 * receivers (which covers a node whose first heartbeat has not arrived yet, except on a
 * Redis Cluster, where {@code PUBLISH} counts only one node's subscribers).
 *
 * @author tiercache
 */
final class Invalidator {

	private static final Log logger = LogFactory.getLog(Invalidator.class);

	private final RedisCommands commands;

	private final RedisKeys keys;

	private final RedisTierSettings settings;

	private final String nodeId;

	private final byte[] eventChannel;

	private final PendingEvictions pending;

	private final Members members;

	private final ConcurrentMap<Long, AckWait> ackWaiters = new ConcurrentHashMap<>();

	private final AtomicLong messageIds = new AtomicLong();

	Invalidator(RedisCommands commands, RedisKeys keys, RedisTierSettings settings, String nodeId,
			PendingEvictions pending, Members members) {
		this.commands = commands;
		this.members = members;
		this.keys = keys;
		this.settings = settings;
		this.nodeId = nodeId;
		this.eventChannel = keys.eventChannel();
		this.pending = pending;
	}

	/**
	 * Publish an invalidation of the key named {@code name} (a clear of the cache when
	 * {@code name} is {@code null}, or when the name is too large for a message) and
	 * wait, at most {@code invalidation-timeout}, for every other subscriber to confirm
	 * that it dropped its copies. If the message cannot be sent, it is remembered and
	 * sent again as soon as Redis answers.
	 */
	void invalidateOthers(Registration registration, String cache, @Nullable String name) {
		long id = this.messageIds.incrementAndGet();
		byte[] message = message(cache, name, id);
		AckWait acks = new AckWait(this.members.awaited());
		this.ackWaiters.put(id, acks);
		try {
			Long receivers = this.commands.publish(registration.stats(), this.eventChannel, message);
			registration.stats().record(Counter.INVALIDATIONS_SENT);
			int others = (receivers != null) ? (int) Math.max(0, receivers - 1 - this.members.mutedCount()) : 0;
			long timeout = this.settings.invalidationTimeout().toNanos();
			if (timeout > 0 && !acks.await(others, timeout)) {
				this.members.missed(acks.missing());
				logger.debug("tiercache: not every node confirmed an invalidation of cache '" + cache + "' within "
						+ this.settings.invalidationTimeout() + "; hot copies live at most hot-ttl");
			}
		}
		catch (RemoteTierException ex) {
			// The write reached Redis but the others were not told: tell them again soon.
			this.pending.addNotice(cache, name);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.ackWaiters.remove(id);
		}
	}

	/**
	 * Publish an invalidation again, without waiting for acknowledgements.
	 * @throws RemoteTierException if Redis does not take it
	 */
	void notifyOthers(Registration registration, String cache, @Nullable String name) {
		this.commands.publish(registration.stats(), this.eventChannel,
				message(cache, name, this.messageIds.incrementAndGet()));
		registration.stats().record(Counter.INVALIDATIONS_SENT);
	}

	/**
	 * An invalidation of {@code name}, or a clear of the cache: also for a name too large
	 * for a message that every node can read.
	 */
	private byte[] message(String cache, @Nullable String name, long id) {
		byte[] payload = (name != null) ? RedisKeys.utf8(name) : null;
		if (payload == null || payload.length + cache.length() * 3 + 128 > EventMessage.MAX_SIZE) {
			return new EventMessage(Type.CLEAR, this.nodeId, id, cache, new byte[0]).encode();
		}
		return new EventMessage(Type.INVALIDATE, this.nodeId, id, cache, payload).encode();
	}

	/**
	 * Publish a message that needs no acknowledgement ("loaded"), ignoring failures.
	 */
	void publishQuietly(Registration registration, Type type, String cache, byte[] payload) {
		byte[] message = new EventMessage(type, this.nodeId, this.messageIds.incrementAndGet(), cache, payload)
			.encode();
		try {
			this.commands.publish(registration.stats(), this.eventChannel, message);
		}
		catch (RemoteTierException ex) {
			// Waiters re-check on their own.
		}
	}

	/**
	 * Another node confirmed one of this node's invalidations.
	 */
	void acknowledged(EventMessage ack) {
		if (ack.type() != Type.ACK) {
			return;
		}
		this.members.acknowledged(ack.sender());
		AckWait acks = this.ackWaiters.get(ack.id());
		if (acks != null) {
			acks.acknowledged(ack.sender());
		}
	}

	/**
	 * Another node invalidated a key or cleared a cache: drop the hot copies, if the
	 * cache is registered here, and acknowledge.
	 */
	void received(@Nullable Registration registration, EventMessage event) {
		this.members.heard(event.sender(), "");
		if (registration != null) {
			apply(registration, event);
		}
		acknowledge(event);
	}

	private void apply(Registration registration, EventMessage event) {
		registration.stats().record(Counter.INVALIDATIONS_RECEIVED);
		if (event.type() == Type.CLEAR) {
			registration.invalidations().invalidateAll();
		}
		else {
			// The key's name, as Redis knows the entry: every key of that name goes.
			registration.invalidations().invalidateNamed(new String(event.payload(), StandardCharsets.UTF_8));
		}
	}

	private void acknowledge(EventMessage event) {
		byte[] ack = new EventMessage(Type.ACK, this.nodeId, event.id(), "", new byte[0]).encode();
		try {
			this.commands.publish(null, this.keys.ackChannel(event.sender()), ack);
		}
		catch (RemoteTierException ex) {
			// The sender stops waiting after invalidation-timeout.
		}
	}

	/**
	 * The acknowledgements one invalidation waits for: one from each awaited node, and at
	 * least a number of them in all.
	 */
	private static final class AckWait {

		private final Set<String> missing;

		private int count;

		AckWait(Set<String> awaited) {
			this.missing = new HashSet<>(awaited);
		}

		synchronized void acknowledged(String sender) {
			this.missing.remove(sender);
			this.count++;
			notifyAll();
		}

		/**
		 * Wait until every awaited node and at least {@code minimum} nodes in all
		 * acknowledged, at most {@code timeoutNanos}: {@code false} if they did not.
		 */
		synchronized boolean await(int minimum, long timeoutNanos) throws InterruptedException {
			long deadline = System.nanoTime() + timeoutNanos;
			while (!this.missing.isEmpty() || this.count < minimum) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this, left);
			}
			return true;
		}

		synchronized Set<String> missing() {
			return Set.copyOf(this.missing);
		}

	}

}
