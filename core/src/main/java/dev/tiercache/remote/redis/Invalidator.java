package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
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
 * acknowledges it.
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

	private final ConcurrentMap<Long, Semaphore> ackWaiters = new ConcurrentHashMap<>();

	private final AtomicLong messageIds = new AtomicLong();

	Invalidator(RedisCommands commands, RedisKeys keys, RedisTierSettings settings, String nodeId,
			PendingEvictions pending) {
		this.commands = commands;
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
		Semaphore acks = new Semaphore(0);
		this.ackWaiters.put(id, acks);
		try {
			Long receivers = this.commands.publish(registration.stats(), this.eventChannel, message);
			registration.stats().record(Counter.INVALIDATIONS_SENT);
			int others = (receivers != null) ? (int) Math.max(0, receivers - 1) : 0;
			long timeout = this.settings.invalidationTimeout().toNanos();
			if (others > 0 && timeout > 0 && !acks.tryAcquire(others, timeout, TimeUnit.NANOSECONDS)) {
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
		Semaphore acks = this.ackWaiters.get(ack.id());
		if (ack.type() == Type.ACK && acks != null) {
			acks.release();
		}
	}

	/**
	 * Another node invalidated a key or cleared a cache: drop the hot copies, if the
	 * cache is registered here, and acknowledge.
	 */
	void received(@Nullable Registration registration, EventMessage event) {
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

}
