package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tiercache.TestRedisCluster;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.redis.RedisTierSettings.ClientTracking;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Client tracking on a Redis Cluster ({@link ClusterTracking}): every master tells of the
 * changes of the keys it holds, so a plain client's {@code SET} of an entry on any shard
 * drops the hot copies, also after a shard failed over to its replica.
 */
class ClusterTrackingTests {

	private static final Duration BOUND = Duration.ofSeconds(5);

	/** Enough keys that every one of the three shards holds some. */
	private static final int KEYS = 30;

	private final String prefix = "tracking-" + System.nanoTime() + ":";

	private final RedisTierSettings settings = new RedisTierSettings(this.prefix, Duration.ofSeconds(10),
			Duration.ofMillis(500), Duration.ofMillis(100), false, 2, Duration.ofMillis(200))
		.withClientTracking(ClientTracking.ON);

	private final ValueCodec codec = ValueCodec.java(AllowList.of(List.of()));

	private final TestRedisCluster cluster = TestRedisCluster.shared();

	private final List<LettuceConnectionFactory> connectionFactories = new ArrayList<>();

	private final List<RedisRemoteTier> tiers = new ArrayList<>();

	private final List<TierCacheManager> managers = new ArrayList<>();

	@AfterEach
	void stop() {
		this.managers.forEach(TierCacheManager::close);
		this.connectionFactories.forEach(LettuceConnectionFactory::destroy);
	}

	@Test
	void everyMasterTellsOfWritesByOtherClients() {
		TierCache writer = node("writer");
		TierCache reader = node("reader");
		awaitActive();
		assertWritesOfOtherClientsDropHotCopies(writer, reader, "before");
		assertThat((Long) this.tiers.get(1).view().details().get("trackingInvalidations")).isGreaterThanOrEqualTo(KEYS);
	}

	/**
	 * A killed master's replica takes its shard over: the connection that tracked the
	 * shard is gone, and the new master must be tracked. (After a manual failover the old
	 * master, now a replica, would still tell of the changes it replicates.)
	 */
	@Test
	void trackingFollowsAShardToTheReplicaThatReplacedItsKilledMaster() {
		TierCache writer = node("writer");
		TierCache reader = node("reader");
		awaitActive();
		int killed = this.cluster.masterPorts().get(0);
		this.cluster.killMaster(killed);
		try {
			await().atMost(Duration.ofSeconds(15)).until(() -> this.tiers.stream().allMatch((tier) -> {
				Map<String, Object> details = tier.view().details();
				return "active".equals(details.get("clientTracking")) && (int) details.get("dataChangedHands") > 0
						&& (int) details.get("pendingEvictions") == 0 && "connected".equals(details.get("redis"));
			}));
			assertWritesOfOtherClientsDropHotCopies(writer, reader, "after the failover");
		}
		finally {
			this.cluster.restart(killed);
		}
	}

	private void assertWritesOfOtherClientsDropHotCopies(TierCache writer, TierCache reader, String when) {
		for (int key = 0; key < KEYS; key++) {
			String name = when + key;
			// Right after a failover a command may still fail (and the circuit open):
			// write until the reader holds the value, then check what tracking tells.
			await().atMost(BOUND).untilAsserted(() -> {
				writer.put(name, "old");
				assertThat(reader.get(name, String.class)).isEqualTo("old");
			});
		}
		LettuceConnectionFactory admin = this.cluster.connectionFactory();
		this.connectionFactories.add(admin);
		try (RedisConnection connection = admin.getConnection()) {
			for (int key = 0; key < KEYS; key++) {
				String name = when + key;
				connection.stringCommands()
					.set(RedisNodes.utf8(new RedisKeys(this.prefix).valueKey("books", name)),
							KeyStamps.stamped(new KeyStamps(this.codec).of(name), this.codec.encode("new")));
			}
		}
		await().atMost(BOUND).untilAsserted(() -> {
			for (int key = 0; key < KEYS; key++) {
				assertThat(reader.get(when + key, String.class)).as("key %s%d on the reader", when, key)
					.isEqualTo("new");
			}
		});
	}

	private TierCache node(String name) {
		LettuceConnectionFactory connectionFactory = this.cluster.connectionFactory();
		this.connectionFactories.add(connectionFactory);
		RedisRemoteTier tier = RedisRemoteTier.start(connectionFactory, this.codec, this.settings, () -> name);
		this.tiers.add(tier);
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", RedisNodes.BOOKS)
			.remoteTier(tier)
			.build();
		this.managers.add(manager);
		return manager.getCache("books");
	}

	private void awaitActive() {
		await().atMost(BOUND)
			.until(() -> this.tiers.stream()
				.allMatch((tier) -> "active".equals(tier.view().details().get("clientTracking"))));
	}

}
