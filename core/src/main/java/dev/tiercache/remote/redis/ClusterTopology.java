package dev.tiercache.remote.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * On a Redis Cluster, Lettuce's view of the cluster: which nodes hold the slots, and a
 * way to read it again at once. Lettuce routes every command by this view, so a command
 * to a shard whose master died fails until the view shows the replica that replaced it:
 * Lettuce reads the view every {@code spring.data.redis.lettuce.cluster.refresh.period}
 * (5 s with tiercache), and its adaptive refresh runs at most once in 30 s. A node with
 * evictions to replay asks for the view at once ({@link #refresh}), and the masters it
 * shows are the identity of who holds the data ({@link MasterChanges}): when another node
 * serves a slot, the writes of the last minute may have been lost with the old master,
 * and are written again.
 *
 * @author tiercache
 */
final class ClusterTopology {

	private final RedisConnectionFactory connectionFactory;

	private final AtomicBoolean refreshing = new AtomicBoolean();

	ClusterTopology(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Return the ids of the nodes that serve slots, in Lettuce's view, sorted and joined;
	 * {@code null} if the connection factory is not a Lettuce cluster client (or not
	 * started yet).
	 */
	@Nullable String masters() {
		return (client() != null) ? String.join(",", masterIds()) : null;
	}

	/**
	 * Return the ids of the nodes that serve slots, in Lettuce's view, sorted; none if
	 * this is no cluster (or the client has not started yet).
	 */
	List<String> masterIds() {
		RedisClusterClient client = client();
		List<String> masters = new ArrayList<>();
		if (client != null) {
			for (RedisClusterNode node : client.getPartitions()) {
				if (!node.getSlots().isEmpty()) {
					masters.add(node.getNodeId());
				}
			}
			masters.sort(null);
		}
		return masters;
	}

	/**
	 * Whether the connection factory is a Lettuce cluster client.
	 */
	boolean isCluster() {
		return client() != null;
	}

	/**
	 * Read Lettuce's view of the cluster again, in the background, then run {@code then};
	 * does nothing if a refresh is under way, or if this is no cluster.
	 */
	void refresh(Runnable then) {
		RedisClusterClient client = client();
		if (client == null || !this.refreshing.compareAndSet(false, true)) {
			return;
		}
		try {
			client.refreshPartitionsAsync().whenComplete((ignored, failure) -> {
				this.refreshing.set(false);
				if (failure == null) {
					then.run();
				}
			});
		}
		catch (RuntimeException ex) {
			// Shut down meanwhile: nothing to refresh.
			this.refreshing.set(false);
		}
	}

	private @Nullable RedisClusterClient client() {
		if (this.connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware()) {
			AbstractRedisClient client = lettuce.getNativeClient();
			return (client instanceof RedisClusterClient cluster) ? cluster : null;
		}
		return null;
	}

}
