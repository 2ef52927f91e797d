package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.tiercache.remote.Rejections;
import dev.tiercache.remote.RemoteTierException;
import dev.tiercache.remote.redis.EventMessage.Type;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.SubscriptionListener;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * This node's subscription to the event channel and its own ack channel, and what watches
 * it.
 *
 * <p>
 * Lettuce reconnects a dropped subscription and subscribes again by itself, so a gap may
 * last a fraction of a second and leave no other trace: every time Redis confirms the
 * subscription to the event channel again
 * ({@link SubscriptionListener#onChannelSubscribed}), the node reports a gap, and the
 * tier drops its hot copies (whatever was published meanwhile did not arrive). A
 * heartbeat watches what the client does not report: every {@code heartbeat-interval} the
 * node publishes a ping that it expects to receive itself; three intervals of silence
 * mark the subscription lost, and a subscription still silent three intervals later while
 * Redis answers commands is torn down and started again, in case the client will not
 * bring it back. The next ping that arrives reports a gap too.
 *
 * <p>
 * When Redis was unreachable (the circuit opened), the subscription's connection may have
 * dropped without a word, and the client may resubscribe only after its reconnect
 * back-off (Lettuce's grows with the outage: 10 s were measured). So the subscription is
 * <em>suspect</em> from the moment the circuit opens until one of this node's pings sent
 * after that arrives, or Redis confirms a resubscription; as soon as the circuit closes,
 * {@link #verify} sends a ping, and {@link #restartIfSuspect} (a probe's time later)
 * subscribes again on a new connection if it has not arrived, which reports a gap. A
 * subscription that lived through the outage (a pause, a partition that dropped no
 * connection) hears its ping and keeps the hot copies.
 *
 * @author tiercache
 */
final class Subscription implements MessageListener, SubscriptionListener {

	private static final Log logger = LogFactory.getLog(Subscription.class);

	private final RedisConnectionFactory connectionFactory;

	private final RedisTierSettings settings;

	private final RedisCommands commands;

	private final String nodeId;

	private final Supplier<String> nodeName;

	private final byte[] eventChannel;

	private final byte[] ackChannel;

	private final Consumer<EventMessage> events;

	private final Consumer<EventMessage> acks;

	private final Consumer<Gap> onGap;

	private final Runnable onSilent;

	/** The number of this node's last ping. */
	private final AtomicLong pings = new AtomicLong();

	/**
	 * While not negative, the subscription is suspect until a ping numbered above this
	 * arrives.
	 */
	private final AtomicLong suspectUntilAbove = new AtomicLong(-1);

	private final Rejections rejections;

	private volatile @Nullable RedisMessageListenerContainer container;

	private volatile @Nullable ExecutorService deliveries;

	private volatile long lastHeartbeatNanos = System.nanoTime();

	private volatile long lastRestartNanos = System.nanoTime();

	private volatile boolean lost;

	private volatile boolean subscribed;

	private volatile boolean confirmedOnce;

	/**
	 * Create the subscription.
	 * @param events receives the other nodes' messages on the event channel
	 * @param acks receives the messages on this node's ack channel
	 * @param onGap called when the subscription is (again) in place after a time in which
	 * messages may have been missed, on the thread that delivers messages
	 * @param onSilent called when the heartbeat finds the subscription silent
	 */
	Subscription(RedisConnectionFactory connectionFactory, RedisTierSettings settings, RedisCommands commands,
			RedisKeys keys, String nodeId, Supplier<String> nodeName, Consumer<EventMessage> events,
			Consumer<EventMessage> acks, Consumer<Gap> onGap, Runnable onSilent, Rejections rejections) {
		this.connectionFactory = connectionFactory;
		this.settings = settings;
		this.commands = commands;
		this.nodeId = nodeId;
		this.nodeName = nodeName;
		this.eventChannel = keys.eventChannel();
		this.ackChannel = keys.ackChannel(nodeId);
		this.events = events;
		this.acks = acks;
		this.onGap = onGap;
		this.onSilent = onSilent;
		this.rejections = rejections;
	}

	/** Return whether the heartbeat found the subscription silent. */
	boolean lost() {
		return this.lost;
	}

	/**
	 * Return whether invalidations are known to arrive: the subscription is neither
	 * silent nor suspect since an outage. Two volatile reads.
	 */
	boolean trusted() {
		return !this.lost && this.suspectUntilAbove.get() < 0;
	}

	/**
	 * Redis stopped answering: invalidations may be lost until a ping sent from now on
	 * arrives, or Redis confirms a resubscription.
	 */
	void suspect() {
		this.suspectUntilAbove.compareAndSet(-1, this.pings.get());
	}

	/**
	 * Redis answers again: send a ping now, so that a subscription that lived is trusted
	 * again at once.
	 */
	void verify() {
		if (!trusted()) {
			ping();
		}
	}

	/**
	 * Subscribe again, on a new connection, if the ping that {@link #verify} sent has not
	 * arrived: the client has not brought the subscription back (yet).
	 */
	void restartIfSuspect() {
		if (!trusted() && !this.commands.unreachable()) {
			logger.info("tiercache: Redis answers again but the invalidation subscription does not; "
					+ "subscribing again now");
			unsubscribe();
			subscribe();
		}
	}

	/**
	 * Subscribe, with a container of its own each time, so that a stopped subscription
	 * can start again.
	 */
	void start() {
		this.lastHeartbeatNanos = System.nanoTime();
		this.lost = false;
		this.confirmedOnce = false;
		this.suspectUntilAbove.set(-1);
		subscribe();
	}

	private void subscribe() {
		this.subscribed = false;
		this.lastRestartNanos = System.nanoTime();
		RedisMessageListenerContainer container = new RedisMessageListenerContainer();
		container.setConnectionFactory(this.connectionFactory);
		container.setRecoveryInterval(this.settings.retryInterval().toMillis());
		// One thread, so that invalidations are applied in the order they were sent.
		ExecutorService deliveries = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "tiercache-redis-events");
			thread.setDaemon(true);
			return thread;
		});
		container.setTaskExecutor(deliveries);
		container.addMessageListener(this,
				List.of(new ChannelTopic(new String(this.eventChannel, StandardCharsets.UTF_8)),
						new ChannelTopic(new String(this.ackChannel, StandardCharsets.UTF_8))));
		container.afterPropertiesSet();
		this.container = container;
		this.deliveries = deliveries;
		RuntimeException failure = startContainer(container);
		if (failure != null) {
			logger.warn("tiercache: could not subscribe to Redis invalidations yet (" + failure.getMessage()
					+ "); caches run on their local tier and tiercache retries every "
					+ this.settings.heartbeatInterval());
		}
	}

	private @Nullable RuntimeException startContainer(RedisMessageListenerContainer container) {
		try {
			container.start();
			return null;
		}
		catch (RuntimeException ex) {
			this.lost = true;
			try {
				container.stop();
			}
			catch (RuntimeException ignored) {
				// not started
			}
			return ex;
		}
	}

	void stop() {
		unsubscribe();
		this.lost = false;
	}

	private void unsubscribe() {
		RedisMessageListenerContainer container = this.container;
		this.container = null;
		this.subscribed = false;
		if (container != null) {
			try {
				container.destroy();
			}
			catch (Exception ex) {
				logger.debug("tiercache: error while unsubscribing from Redis", ex);
			}
		}
		ExecutorService deliveries = this.deliveries;
		this.deliveries = null;
		if (deliveries != null) {
			deliveries.shutdownNow();
		}
	}

	/**
	 * Publish a heartbeat, carrying this node's name, that this node expects to receive
	 * on its own subscription and that tells the other nodes to wait for its
	 * acknowledgements ({@link Members}); notice when it stops arriving, and start again
	 * a subscription that stays silent while Redis answers. Also probes Redis while the
	 * circuit is open.
	 */
	void beat() {
		ping();
		long interval = this.settings.heartbeatInterval().toNanos();
		long now = System.nanoTime();
		long silence = now - this.lastHeartbeatNanos;
		if (!this.lost && silence > 3 * interval) {
			this.lost = true;
			logger.warn("tiercache: the Redis invalidation subscription is silent; hot copies may miss "
					+ "invalidations (each lives at most hot-ttl) until it is back");
			this.onSilent.run();
		}
		boolean stuck = !this.subscribed || silence > 6 * interval;
		if (this.lost && stuck && now - this.lastRestartNanos > 3 * interval && !this.commands.unreachable()) {
			logger.info(
					"tiercache: Redis answers but the invalidation subscription stays silent; subscribing " + "again");
			unsubscribe();
			subscribe();
		}
	}

	private void ping() {
		try {
			byte[] ping = new EventMessage(Type.PING, this.nodeId, this.pings.incrementAndGet(), "",
					RedisKeys.utf8(this.nodeName.get()))
				.encode();
			this.commands.publish(null, this.eventChannel, ping);
		}
		catch (RemoteTierException ex) {
			// Counted by the circuit breaker.
		}
	}

	@Override
	public void onChannelSubscribed(byte[] channel, long count) {
		if (Arrays.equals(channel, this.eventChannel)) {
			this.subscribed = true;
			// The first confirmation after a start follows no gap: the start waits for
			// it, and one that failed is reported when heartbeats arrive.
			if (this.confirmedOnce) {
				this.onGap.accept(Gap.RESUBSCRIBED);
			}
			this.suspectUntilAbove.set(-1);
			this.confirmedOnce = true;
		}
	}

	@Override
	public void onChannelUnsubscribed(byte[] channel, long count) {
		if (Arrays.equals(channel, this.eventChannel)) {
			this.subscribed = false;
		}
	}

	@Override
	public void onMessage(Message message, byte @Nullable [] pattern) {
		EventMessage event;
		try {
			event = EventMessage.decode(message.getBody());
		}
		catch (EventMessage.Unreadable ex) {
			this.rejections.record(null, ex);
			event = clearInstead(message, ex.header());
			if (event == null) {
				return;
			}
		}
		if (Arrays.equals(message.getChannel(), this.ackChannel)) {
			this.acks.accept(event);
			return;
		}
		if (event.sender().equals(this.nodeId)) {
			if (event.type() == Type.PING) {
				heartbeatReceived(event.id());
			}
			return;
		}
		this.events.accept(event);
	}

	/**
	 * Another node's invalidation that cannot be read (too large, another version) still
	 * says which cache changed: drop that cache's hot copies and acknowledge, as for a
	 * clear, rather than keep copies that may be stale and leave the sender waiting.
	 */
	private @Nullable EventMessage clearInstead(Message message, @Nullable EventMessage header) {
		if (header == null || Arrays.equals(message.getChannel(), this.ackChannel)
				|| header.sender().equals(this.nodeId)
				|| (header.type() != Type.INVALIDATE && header.type() != Type.CLEAR)) {
			return null;
		}
		return new EventMessage(Type.CLEAR, header.sender(), header.id(), header.cache(), new byte[0]);
	}

	private void heartbeatReceived(long ping) {
		this.lastHeartbeatNanos = System.nanoTime();
		if (this.lost) {
			this.lost = false;
			this.onGap.accept(Gap.HEARD_AGAIN);
			this.suspectUntilAbove.set(-1);
		}
		long suspectUntil = this.suspectUntilAbove.get();
		if (suspectUntil >= 0 && ping > suspectUntil) {
			// Sent after Redis stopped answering, and heard: the subscription lived.
			this.suspectUntilAbove.compareAndSet(suspectUntil, -1);
		}
	}

	/**
	 * Why the subscription reports a possible gap.
	 */
	enum Gap {

		/** Subscribed again, by the client after a reconnect or by a restart. */
		RESUBSCRIBED,

		/** Heartbeats arrive again after the subscription was silent. */
		HEARD_AGAIN

	}

}
