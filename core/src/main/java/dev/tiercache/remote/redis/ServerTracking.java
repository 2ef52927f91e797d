package dev.tiercache.remote.redis;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import io.lettuce.core.cluster.RedisClusterClient;
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

	private final TrackedKeys keys;

	/** On a Cluster, Lettuce's view of it, shared with the tier's commands. */
	private final ClusterTopology topology;

	private volatile @Nullable StatefulRedisConnection<byte[], byte[]> connection;

	/** On a Cluster, the masters' tracking connections instead of {@link #connection}. */
	private volatile @Nullable ClusterTracking cluster;

	private volatile State state = State.OFF;

	private volatile @Nullable String refusal;

	/**
	 * Create the tracking of a tier.
	 * @param registrations the registration of a cache name, or {@code null}
	 * @param allRegistrations every registration, for a flush or a gap
	 */
	ServerTracking(RedisConnectionFactory connectionFactory, ClusterTopology topology, RedisTierSettings settings,
			Function<String, @Nullable Registration> registrations,
			Supplier<Collection<Registration>> allRegistrations) {
		this.connectionFactory = connectionFactory;
		this.mode = settings.clientTracking();
		this.prefix = settings.keyPrefix();
		this.keys = new TrackedKeys(this.prefix, registrations, allRegistrations);
		this.topology = topology;
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
		if (!(this.connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			refuse("the connection factory is not a LettuceConnectionFactory", true);
			return;
		}
		this.state = State.CONNECTING;
		if (lettuce.getRequiredNativeClient() instanceof RedisClusterClient client) {
			ClusterTracking tracking = new ClusterTracking(client, this.topology, trackingArgs(), this.keys,
					(reason) -> refuse(reason, false));
			this.cluster = tracking;
			String refusal = tracking.beat();
			if (refusal == null && this.mode == ClientTracking.ON) {
				refusal = tracking.awaitEnabled(lettuce.getClientConfiguration().getCommandTimeout().toMillis());
			}
			if (refusal != null) {
				refuse(refusal, true);
			}
			return;
		}
		connect(this.mode == ClientTracking.ON);
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
			refuse("the server is a Redis Cluster node, but the connection factory is not a Cluster's; configure "
					+ "spring.data.redis.cluster.nodes", failFast);
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
		this.keys.dropEveryHotCopy();
		logger.info("tiercache: Redis client tracking is on (BCAST, prefix '" + this.prefix
				+ "'); dropped every hot copy, since changes before it were not told");
	}

	/**
	 * Give tracking up: fail start-up if it was asked for ({@code on}, at start), else
	 * log.
	 */
	private void refuse(String reason, boolean atStart) {
		closeConnections();
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
		ClusterTracking cluster = this.cluster;
		if (cluster != null) {
			String refusal = cluster.beat();
			if (refusal != null) {
				refuse(refusal, false);
			}
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
		closeConnections();
		this.state = State.OFF;
	}

	private void closeConnections() {
		StatefulRedisConnection<byte[], byte[]> connection = this.connection;
		this.connection = null;
		if (connection != null) {
			connection.removeListener((PushListener) this);
			connection.removeListener((RedisConnectionStateListener) this);
			connection.closeAsync();
		}
		ClusterTracking cluster = this.cluster;
		this.cluster = null;
		if (cluster != null) {
			cluster.stop();
		}
	}

	/**
	 * Return whether tracking is on now (on a Cluster: on every master that serves
	 * slots).
	 */
	boolean active() {
		ClusterTracking cluster = this.cluster;
		return (cluster != null) ? this.state != State.UNAVAILABLE && cluster.active() : this.state == State.ACTIVE;
	}

	/**
	 * Return the state for the cluster view: {@code off}, {@code active},
	 * {@code connecting}, or {@code unavailable: <reason>}.
	 */
	String status() {
		State state = this.state;
		ClusterTracking cluster = this.cluster;
		if (cluster != null && state != State.UNAVAILABLE) {
			return cluster.active() ? "active" : "connecting (" + cluster.coverage() + ")";
		}
		return switch (state) {
			case OFF -> "off";
			case ACTIVE -> "active";
			case CONNECTING, ENABLING -> "connecting";
			case UNAVAILABLE -> "unavailable: " + this.refusal;
		};
	}

	/** Return how many keys (or flushes) Redis reported changed so far. */
	long invalidations() {
		return this.keys.invalidations();
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

	@Override
	public void onPushMessage(PushMessage message) {
		this.keys.pushed(message);
	}

	private enum State {

		OFF, CONNECTING, ENABLING, ACTIVE, UNAVAILABLE

	}

}
