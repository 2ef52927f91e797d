package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.tiercache.TierCache;
import dev.tiercache.remote.redis.EventMessage.Type;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What reaches the hot copies of the other nodes when a node writes: invalidations by the
 * key's Redis name, whatever the Java type of the key.
 */
class RedisInvalidationTests {

	private final RedisNodes nodes = new RedisNodes();

	@AfterEach
	void stop() {
		this.nodes.close();
	}

	@Test
	void evictionByAKeyOfAnotherTypeDropsTheHotCopiesOfEveryNode() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		TierCache admin = this.nodes.node();
		first.put(150L, "book");
		assertThat(second.get(150L, String.class)).isEqualTo("book");
		assertThat(admin.get(150L, String.class)).isEqualTo("book");
		// As the actuator endpoint does: the key arrives as text.
		admin.evict("150");
		assertThat(second.get(150L)).as("hot copy of 150L on another node").isNull();
		assertThat(admin.get(150L)).as("hot copy of 150L on the evicting node").isNull();
	}

	/**
	 * {@code "150"} and {@code 150L} share one Redis entry: a write of one replaces it,
	 * drops the hot copies of both on every node, and is read by its own key only.
	 */
	@Test
	void writeByAKeyOfAnotherTypeDropsTheHotCopiesOfEveryNode() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		first.put(150L, "old");
		assertThat(second.get(150L, String.class)).isEqualTo("old");
		first.put("150", "new");
		assertThat(second.get(150L)).as("150L, whose entry \"150\" replaced").isNull();
		assertThat(second.get("150", String.class)).isEqualTo("new");
	}

	@Test
	void invalidationTooLargeToReadClearsTheReceiversHotTierAndIsAcknowledged() throws Exception {
		TierCache cache = this.nodes.node();
		cache.put("k", "v");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		assertThat(cache.getLocalTier().hotContains("k")).isTrue();
		BlockingQueue<byte[]> acks = new LinkedBlockingQueue<>();
		RedisMessageListenerContainer listener = new RedisMessageListenerContainer();
		listener.setConnectionFactory(this.nodes.connectionFactory());
		listener.addMessageListener((message, pattern) -> acks.add(message.getBody()),
				new ChannelTopic("test:acks:another-node"));
		listener.afterPropertiesSet();
		listener.start();
		try {
			byte[] name = new byte[EventMessage.MAX_SIZE];
			Arrays.fill(name, (byte) 'k');
			byte[] oversized = new EventMessage(Type.INVALIDATE, "another-node", 7, "books", name).encode();
			try (RedisConnection connection = this.nodes.connection()) {
				connection.publish(RedisNodes.utf8("test:events"), oversized);
			}
			byte[] ack = acks.poll(10, TimeUnit.SECONDS);
			assertThat(ack).as("acknowledgement").isNotNull();
			assertThat(EventMessage.decode(ack).id()).isEqualTo(7);
			assertThat(cache.getLocalTier().hotContains("k")).as("hot copy after an unreadable invalidation").isFalse();
			assertThat(this.nodes.tier(0).view().details().get("rejectedPayloads")).isEqualTo(1L);
		}
		finally {
			listener.destroy();
		}
	}

	@Test
	void evictionOfAKeyWithAHugeNameReachesEveryNode() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		String huge = "k".repeat(EventMessage.MAX_SIZE + 1);
		first.put(huge, "v");
		assertThat(second.get(huge, String.class)).isEqualTo("v");
		first.evict(huge);
		assertThat(second.get(huge)).as("hot copy of the huge key on another node").isNull();
	}

	@Test
	void invalidationWhosePublishFailedIsSentAgainWithoutWaitingForARecovery() {
		// A Redis user that may write entries but not publish, until the test lets it.
		this.nodes.execute("ACL", "SETUSER", "writer", "on", ">secret", "~*", "&*", "+@all", "-publish");
		TierCache writer = this.nodes.nodeAs("writer", "secret");
		TierCache reader = this.nodes.node();
		writer.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		writer.put("k", "new");
		assertThat(writer.getStats().count(Counter.REDIS_ERRORS)).as("failed PUBLISH").isPositive();
		// Several heartbeats (each may try again) before Redis takes it.
		long errors = writer.getStats().count(Counter.REDIS_ERRORS);
		await().atMost(Duration.ofSeconds(5)).until(() -> writer.getStats().count(Counter.REDIS_ERRORS) >= errors + 3);
		assertThat(reader.get("k", String.class)).as("the reader's copy while the writer may not publish")
			.isEqualTo("old");
		this.nodes.execute("ACL", "SETUSER", "writer", "+publish");
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(reader.get("k", String.class))
				.as("the reader's copy, after the publish failed once")
				.isEqualTo("new"));
	}

	/**
	 * A node that sends heartbeats is waited for, even if {@code PUBLISH} does not count
	 * it (on a Redis Cluster it counts one node's subscribers only); one that never
	 * acknowledges is waited for {@value Members#MISSES_BEFORE_MUTED} times, then no
	 * longer, until it acknowledges again.
	 */
	@Test
	void writesWaitForEveryNodeHeardAndStopWaitingForOneThatNeverAcknowledges() throws Exception {
		TierCache writer = this.nodes.node();
		RedisRemoteTier tier = this.nodes.tier(0);
		// A node that is not subscribed (PUBLISH does not count it) but sends heartbeats.
		byte[] ping = new EventMessage(Type.PING, "silent-node", 0, "", RedisNodes.utf8("silent")).encode();
		Runnable heartbeat = () -> {
			try (RedisConnection connection = this.nodes.connection()) {
				connection.publish(RedisNodes.utf8("test:events"), ping);
			}
		};
		// Its heartbeat, as often as the nodes' own (RedisNodes: every 100 ms).
		ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
		beats.scheduleWithFixedDelay(heartbeat, 0, 50, TimeUnit.MILLISECONDS);
		try {
			await().atMost(Duration.ofSeconds(5))
				.until(() -> tier.view().members().stream().anyMatch((member) -> member.name().equals("silent")));
			long timeout = RedisNodes.SETTINGS.invalidationTimeout().toNanos();
			for (int i = 0; i < Members.MISSES_BEFORE_MUTED; i++) {
				long started = System.nanoTime();
				writer.evict("k" + i);
				assertThat(System.nanoTime() - started).as("eviction %d waits for the silent node", i)
					.isGreaterThanOrEqualTo(timeout);
			}
			long started = System.nanoTime();
			writer.evict("k");
			assertThat(System.nanoTime() - started).as("eviction after the node was muted").isLessThan(timeout);
			// It acknowledges something: it is waited for again.
			try (RedisConnection connection = this.nodes.connection()) {
				byte[] ack = new EventMessage(Type.ACK, "silent-node", 1, "", new byte[0]).encode();
				connection.publish(tierAckChannel(tier), ack);
			}
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				long again = System.nanoTime();
				writer.evict("k");
				assertThat(System.nanoTime() - again).as("eviction after the node acknowledged again")
					.isGreaterThanOrEqualTo(timeout);
			});
		}
		finally {
			beats.shutdownNow();
		}
	}

	private static byte[] tierAckChannel(RedisRemoteTier tier) {
		return new RedisKeys(RedisNodes.SETTINGS.keyPrefix()).ackChannel(tier.nodeId());
	}

}
