package dev.tiercache.remote.redis;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.push.RedisClusterPushListener;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Client tracking on a Redis Cluster. Each master tracks only the keys it holds and tells
 * only the connections made to it, so tracking needs a connection to every master that
 * serves slots, each with {@code CLIENT TRACKING ON BCAST PREFIX <key-prefix>}. They are
 * the node connections of a cluster connection of its own, made by the application's
 * {@code RedisClusterClient}, whose pushes Lettuce hands to one listener.
 *
 * <p>
 * A master whose tracking is confirmed drops every hot copy, since changes it held before
 * were not told: at start, when its connection comes back, and when it is new (a replica
 * took over a shard, as Lettuce's view of the cluster shows). Until every master that
 * serves slots tracks, tracking is not {@link #active()}, and each heartbeat asks for the
 * masters again ({@link #beat()}), with a fresh view of the cluster.
 *
 * @author tiercache
 */
final class ClusterTracking implements RedisClusterPushListener {

	private static final Log logger = LogFactory.getLog(ClusterTracking.class);

	private final RedisClusterClient client;

	private final TrackingArgs args;

	private final TrackedKeys keys;

	private final Consumer<String> refuse;

	private final ClusterTopology topology;

	private volatile @Nullable StatefulRedisClusterConnection<byte[], byte[]> connection;

	/** The masters that serve slots, by node id. */
	private final Map<String, Master> masters = new ConcurrentHashMap<>();

	/**
	 * @param refuse gives tracking up with a reason (a server that refuses it)
	 */
	ClusterTracking(RedisClusterClient client, ClusterTopology topology, TrackingArgs args, TrackedKeys keys,
			Consumer<String> refuse) {
		this.client = client;
		this.topology = topology;
		this.args = args;
		this.keys = keys;
		this.refuse = refuse;
	}

	/**
	 * Open the cluster connection if it is not open, and enable tracking on every master
	 * that serves slots and does not track yet; forget the nodes that no longer serve
	 * slots. Called at start and every heartbeat.
	 * @return why tracking cannot work here (no RESP3), or {@code null}
	 */
	synchronized @Nullable String beat() {
		StatefulRedisClusterConnection<byte[], byte[]> cluster = this.connection;
		if (cluster == null) {
			try {
				cluster = this.client.connect(ByteArrayCodec.INSTANCE);
			}
			catch (RuntimeException ex) {
				logger.warn("tiercache: could not open the Redis client tracking connections yet (" + ex.getMessage()
						+ "); hot copies hear only tiercache's invalidations until they open");
				return null;
			}
			cluster.addListener(this);
			this.connection = cluster;
		}
		List<String> serving = this.topology.masterIds();
		this.masters.keySet().retainAll(serving);
		List<Master> added = new ArrayList<>();
		for (String nodeId : serving) {
			if (!this.masters.containsKey(nodeId)) {
				StatefulRedisConnection<byte[], byte[]> node;
				try {
					node = cluster.getConnection(nodeId);
				}
				catch (RuntimeException ex) {
					// Unreachable now: tried again at the next heartbeat.
					continue;
				}
				if (!(node instanceof StatefulRedisConnectionImpl<?, ?> impl)
						|| impl.getConnectionState().getNegotiatedProtocolVersion() != ProtocolVersion.RESP3) {
					return "the connection does not speak RESP3 (the client options ask for RESP2, or the server "
							+ "has no HELLO); remove protocolVersion(RESP2) from the Lettuce ClientOptions";
				}
				Master master = new Master(nodeId, node);
				this.masters.put(nodeId, master);
				added.add(master);
			}
		}
		for (Master master : added) {
			master.connection.addListener(master);
			master.enable();
		}
		if (!active()) {
			// A master that does not track may have been replaced: read the view again.
			this.topology.refresh(() -> {
			});
		}
		return null;
	}

	/**
	 * Wait (at most {@code timeout}) until Redis answered the {@code CLIENT TRACKING} of
	 * every master.
	 * @return why a master refused it, or {@code null}
	 */
	@Nullable String awaitEnabled(long timeoutMillis) {
		CompletableFuture<?>[] enabling = this.masters.values()
			.stream()
			.map((master) -> master.enabling)
			.toArray(CompletableFuture<?>[]::new);
		try {
			CompletableFuture.allOf(enabling).get(timeoutMillis, TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			return RedisCommands.isCommandError(ex.getCause())
					? "Redis refused CLIENT TRACKING (" + ex.getCause().getMessage() + ")" : null;
		}
		catch (TimeoutException ex) {
			logger.warn("tiercache: not every Redis Cluster master answered CLIENT TRACKING within " + timeoutMillis
					+ " ms; tried again at the next heartbeat");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return null;
	}

	/**
	 * Return whether every master that serves slots tracks now.
	 */
	boolean active() {
		return !this.masters.isEmpty() && this.masters.values().stream().allMatch((master) -> master.on);
	}

	/**
	 * Return how many masters track, of how many serve slots.
	 */
	String coverage() {
		long on = this.masters.values().stream().filter((master) -> master.on).count();
		return on + " of " + this.masters.size() + " masters";
	}

	/**
	 * Close the cluster connection and its node connections.
	 */
	synchronized void stop() {
		StatefulRedisClusterConnection<byte[], byte[]> cluster = this.connection;
		this.connection = null;
		this.masters.values().forEach((master) -> master.connection.removeListener(master));
		this.masters.clear();
		if (cluster != null) {
			cluster.removeListener(this);
			cluster.closeAsync();
		}
	}

	@Override
	public void onPushMessage(RedisClusterNode node, PushMessage message) {
		this.keys.pushed(message);
	}

	/**
	 * A master's connection, with tracking on or being enabled.
	 */
	private final class Master implements RedisConnectionStateListener {

		private final String nodeId;

		private final StatefulRedisConnection<byte[], byte[]> connection;

		private volatile boolean on;

		/** Redis's answer to the last {@code CLIENT TRACKING}. */
		private volatile CompletableFuture<String> enabling = new CompletableFuture<>();

		private Master(String nodeId, StatefulRedisConnection<byte[], byte[]> connection) {
			this.nodeId = nodeId;
			this.connection = connection;
		}

		/**
		 * Enable tracking, asynchronously (this may run on the thread that delivers the
		 * connection's events); once Redis confirms, drop every hot copy.
		 */
		void enable() {
			this.on = false;
			CompletableFuture<String> enabling = this.connection.async()
				.clientTracking(ClusterTracking.this.args)
				.toCompletableFuture();
			this.enabling = enabling;
			enabling.whenComplete((ok, failure) -> {
				if (ClusterTracking.this.masters.get(this.nodeId) != this) {
					return;
				}
				if (failure == null) {
					this.on = true;
					ClusterTracking.this.keys.dropEveryHotCopy();
					if (active()) {
						logger.info("tiercache: Redis client tracking is on at every Cluster master (" + coverage()
								+ "); dropped every hot copy, since changes before it were not told");
					}
				}
				else if (RedisCommands.isCommandError(failure)) {
					ClusterTracking.this.refuse.accept("Redis refused CLIENT TRACKING (" + failure.getMessage() + ")");
				}
			});
		}

		@Override
		public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress socketAddress) {
			if (ClusterTracking.this.masters.get(this.nodeId) == this) {
				enable();
			}
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			this.on = false;
		}

	}

}
