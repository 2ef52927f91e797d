package dev.tiercache.remote.redis;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.tiercache.remote.redis.RedisTierSettings.ClientTracking;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Server-assisted invalidation: Redis tells this node of every change of a key under the
 * tier's key prefix, whoever made it, so that hot copies drop on writes by other clients,
 * expiry, eviction under {@code maxmemory} and {@code FLUSHDB}/{@code FLUSHALL}, which
 * tiercache's own messages never announce.
 *
 * <p>
 * One connection of its own, made by the application's {@code RedisClient} (so with its
 * URI, credentials, TLS and Sentinel), speaks RESP3 and runs
 * {@code CLIENT TRACKING ON BCAST PREFIX <key-prefix>}. Redis then pushes
 * {@code invalidate} with the changed keys, or with none for a flush; a key of an entry
 * ({@code <prefix><cache>::{name}}) drops the hot copies of that name in that cache, a
 * flush drops every hot copy, other keys (leases, clear counts, other applications') are
 * ignored. Tracking gives no acknowledgement and no "loaded", so tiercache's messages
 * stay. {@code NOLOOP} is not used: it only silences the tracking connection's own
 * writes, and this one writes nothing; this node's own writes come back too, and drop at
 * most a copy admitted since.
 *
 * <p>
 * Tracking lives and dies with its connection: when Lettuce reconnects it, tracking is
 * enabled again and then every hot copy is dropped, since changes during the gap were not
 * told. A copy read during the gap is either dropped then or refused at admission (the
 * invalidation count moved). A Redis Cluster tracks per node; it is not supported.
 *
 * @author tiercache
 */
final class ServerTracking implements PushListener, RedisConnectionStateListener {

	private static final Log logger = LogFactory.getLog(ServerTracking.class);

	private final RedisConnectionFactory connectionFactory;

	private final ClientTracking mode;

	private final String prefix;

	private final Function<String, @Nullable Registration> registrations;

	private final Supplier<Collection<Registration>> allRegistrations;

	private final AtomicLong invalidations = new AtomicLong();

	private volatile @Nullable StatefulRedisConnection<byte[], byte[]> connection;

	private volatile State state = State.OFF;

	private volatile @Nullable String refusal;

	/**
	 * Create the tracking of a tier.
	 * @param registrations the registration of a cache name, or {@code null}
	 * @param allRegistrations every registration, for a flush or a gap
	 */
	ServerTracking(RedisConnectionFactory connectionFactory, RedisTierSettings settings,
			Function<String, @Nullable Registration> registrations,
			Supplier<Collection<Registration>> allRegistrations) {
		this.connectionFactory = connectionFactory;
		this.mode = settings.clientTracking();
		this.prefix = settings.keyPrefix();
		this.registrations = registrations;
		this.allRegistrations = allRegistrations;
	}

	/**
	 * Open the tracking connection and enable tracking; does nothing when tracking is
	 * off. A Redis that cannot be reached is tried again at each {@link #beat()}.
	 * @throws IllegalStateException if the mode is {@code on} and the topology, the
	 * protocol or the server refuses tracking
	 */
	synchronized void start() {
		this.refusal = null;
		if (this.mode == ClientTracking.OFF) {
			this.state = State.OFF;
			return;
		}
		String unsupported = unsupportedTopology();
		if (unsupported != null) {
			refuse(unsupported, true);
			return;
		}
		this.state = State.CONNECTING;
		connect(this.mode == ClientTracking.ON);
	}

	private @Nullable String unsupportedTopology() {
		if (!(this.connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			return "the connection factory is not a LettuceConnectionFactory";
		}
		if (lettuce.isClusterAware()) {
			return "the connection factory is a Redis Cluster's, and Redis Cluster tracks keys per node";
		}
		return null;
	}

	private void connect(boolean failFast) {
		RedisClient client = (RedisClient) ((LettuceConnectionFactory) this.connectionFactory)
			.getRequiredNativeClient();
		StatefulRedisConnection<byte[], byte[]> connection;
		try {
			connection = client.connect(ByteArrayCodec.INSTANCE);
		}
		catch (RuntimeException ex) {
			logger.warn("tiercache: could not open the Redis client tracking connection yet (" + ex.getMessage()
					+ "); hot copies hear only tiercache's invalidations until it opens");
			return;
		}
		if (!(connection instanceof StatefulRedisConnectionImpl<?, ?> impl)
				|| impl.getConnectionState().getNegotiatedProtocolVersion() != ProtocolVersion.RESP3) {
			connection.closeAsync();
			refuse("the connection does not speak RESP3 (the client options ask for RESP2, or the server has "
					+ "no HELLO); remove protocolVersion(RESP2) from the Lettuce ClientOptions", failFast);
			return;
		}
		if ("cluster".equals(((StatefulRedisConnectionImpl<?, ?>) connection).getConnectionState().getMode())) {
			connection.closeAsync();
			refuse("the server is a Redis Cluster node, and Redis Cluster tracks keys per node", failFast);
			return;
		}
		connection.addListener((PushListener) this);
		connection.addListener((RedisConnectionStateListener) this);
		this.connection = connection;
		if (failFast) {
			awaitFirstEnable(connection);
		}
		else {
			enable(connection);
		}
	}

	private void awaitFirstEnable(StatefulRedisConnection<byte[], byte[]> connection) {
		Duration timeout = connection.getTimeout();
		try {
			connection.async().clientTracking(trackingArgs()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			enabled();
		}
		catch (ExecutionException ex) {
			refuse("Redis refused CLIENT TRACKING (" + ex.getCause().getMessage() + ")", true);
		}
		catch (TimeoutException ex) {
			logger.warn("tiercache: Redis did not answer CLIENT TRACKING within " + timeout + "; tried again "
					+ "at the next heartbeat");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private TrackingArgs trackingArgs() {
		TrackingArgs args = TrackingArgs.Builder.enabled().bcast();
		// An empty prefix tracks every key of the server: correct, if costly.
		return this.prefix.isEmpty() ? args : args.prefixes(StandardCharsets.UTF_8, this.prefix);
	}

	/**
	 * Enable tracking on {@code connection}, asynchronously (this may run on the thread
	 * that delivers the connection's events); once Redis confirms, drop every hot copy.
	 */
	private void enable(StatefulRedisConnection<byte[], byte[]> connection) {
		this.state = State.ENABLING;
		connection.async().clientTracking(trackingArgs()).whenComplete((ok, failure) -> {
			if (this.connection != connection) {
				return;
			}
			if (failure == null) {
				enabled();
			}
			else if (RedisCommands.isCommandError(failure)) {
				refuse("Redis refused CLIENT TRACKING (" + failure.getMessage() + ")", false);
			}
			else {
				this.state = State.CONNECTING;
			}
		});
	}

	/**
	 * Tracking is on: changes from now on are told. Whatever changed before was not, so
	 * every hot copy goes.
	 */
	private void enabled() {
		this.state = State.ACTIVE;
		dropEveryHotCopy();
		logger.info("tiercache: Redis client tracking is on (BCAST, prefix '" + this.prefix
				+ "'); dropped every hot copy, since changes before it were not told");
	}

	/**
	 * Give tracking up: fail start-up if it was asked for ({@code on}, at start), else
	 * log.
	 */
	private void refuse(String reason, boolean atStart) {
		StatefulRedisConnection<byte[], byte[]> connection = this.connection;
		this.connection = null;
		if (connection != null) {
			connection.closeAsync();
		}
		this.state = State.UNAVAILABLE;
		this.refusal = reason;
		if (this.mode == ClientTracking.ON && atStart) {
			throw new IllegalStateException("tiercache.redis.client-tracking=on, but " + reason
					+ ". Use client-tracking=auto to run without it where it is not available, or off");
		}
		logger.warn("tiercache: running without Redis client tracking: " + reason
				+ "; hot copies hear only tiercache's own invalidations (client-tracking="
				+ this.mode.name().toLowerCase() + ")");
	}

	/**
	 * Open the connection if it could not be opened, and enable tracking again if Redis
	 * did not take it; called every heartbeat-interval.
	 */
	synchronized void beat() {
		if (this.mode == ClientTracking.OFF || this.state == State.UNAVAILABLE) {
			return;
		}
		StatefulRedisConnection<byte[], byte[]> connection = this.connection;
		if (connection == null) {
			connect(false);
		}
		else if (this.state == State.CONNECTING && connection.isOpen()) {
			enable(connection);
		}
	}

	/**
	 * Close the tracking connection; a later {@link #start()} opens another.
	 */
	synchronized void stop() {
		StatefulRedisConnection<byte[], byte[]> connection = this.connection;
		this.connection = null;
		if (connection != null) {
			connection.removeListener((PushListener) this);
			connection.removeListener((RedisConnectionStateListener) this);
			connection.closeAsync();
		}
		this.state = State.OFF;
	}

	/**
	 * Return whether tracking is on now.
	 */
	boolean active() {
		return this.state == State.ACTIVE;
	}

	/**
	 * Return the state for the cluster view: {@code off}, {@code active},
	 * {@code connecting}, or {@code unavailable: <reason>}.
	 */
	String status() {
		State state = this.state;
		return switch (state) {
			case OFF -> "off";
			case ACTIVE -> "active";
			case CONNECTING, ENABLING -> "connecting";
			case UNAVAILABLE -> "unavailable: " + this.refusal;
		};
	}

	/** Return how many keys (or flushes) Redis reported changed so far. */
	long invalidations() {
		return this.invalidations.get();
	}

	@Override
	public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
		StatefulRedisConnection<byte[], byte[]> tracked = this.connection;
		if (tracked != null && connection == tracked && this.state != State.ACTIVE) {
			enable(tracked);
		}
	}

	@Override
	public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
		if (connection == this.connection && this.state != State.UNAVAILABLE) {
			this.state = State.CONNECTING;
		}
	}

	/**
	 * A push from Redis: {@code invalidate} with the changed keys, or with {@code null}
	 * for a flush. Runs on the connection's I/O thread; dropping is cheap.
	 */
	@Override
	public void onPushMessage(PushMessage message) {
		if (!"invalidate".equals(message.getType())) {
			return;
		}
		List<Object> content = message.getContent(ServerTracking::utf8);
		Object keys = (content.size() > 1) ? content.get(1) : null;
		if (!(keys instanceof List<?> changed)) {
			this.invalidations.incrementAndGet();
			dropEveryHotCopy();
			return;
		}
		for (Object key : changed) {
			this.invalidations.incrementAndGet();
			if (key instanceof String text) {
				invalidate(text);
			}
		}
	}

	private static String utf8(ByteBuffer buffer) {
		return StandardCharsets.UTF_8.decode(buffer).toString();
	}

	/**
	 * Drop the hot copies of the entry stored at {@code key}, if it is an entry of a
	 * registered cache: {@code <prefix><escaped cache>::{<escaped name>}}. Neither
	 * escaped part holds a brace, so the first {@code "::{"} ends the cache.
	 */
	private void invalidate(String key) {
		if (!key.startsWith(this.prefix) || !key.endsWith("}")) {
			return;
		}
		int separator = key.indexOf("::{", this.prefix.length());
		if (separator < 0 || key.indexOf('}', separator) != key.length() - 1) {
			return;
		}
		Registration registration = this.registrations.apply(unescape(key.substring(this.prefix.length(), separator)));
		if (registration != null) {
			registration.invalidations().invalidateNamed(unescape(key.substring(separator + 3, key.length() - 1)));
		}
	}

	/** The inverse of {@link RedisKeys#escape}. */
	static String unescape(String escaped) {
		if (escaped.equals("\\0")) {
			return "";
		}
		if (escaped.indexOf('\\') < 0) {
			return escaped;
		}
		StringBuilder name = new StringBuilder(escaped.length());
		for (int i = 0; i < escaped.length(); i++) {
			char c = escaped.charAt(i);
			if (c == '\\' && i + 1 < escaped.length()) {
				char next = escaped.charAt(++i);
				name.append(switch (next) {
					case '[' -> '{';
					case ']' -> '}';
					default -> next;
				});
			}
			else {
				name.append(c);
			}
		}
		return name.toString();
	}

	private void dropEveryHotCopy() {
		this.allRegistrations.get().forEach((registration) -> registration.invalidations().invalidateAll());
	}

	private enum State {

		OFF, CONNECTING, ENABLING, ACTIVE, UNAVAILABLE

	}

}
