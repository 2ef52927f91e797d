package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.redis.RedisTierSettings.OnOutage;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What hot copies do around a Redis outage (the server stopped, as a crash, and started
 * again empty on the same port): dropped within a second of Redis answering again,
 * whatever the client's reconnect back-off; and, with {@link OnOutage#DROP_HOT}, neither
 * served nor admitted while Redis is unreachable.
 */
class RedisOutageTests {

	/**
	 * A heartbeat every second (the default), so that the heartbeat's own restart of a
	 * silent subscription (after six silent heartbeats) does not hide a late
	 * resubscription; a circuit of 2 x 200 ms.
	 */
	private static final RedisTierSettings SETTINGS = new RedisTierSettings("test:", Duration.ofSeconds(10),
			Duration.ofMillis(250), Duration.ofSeconds(1), false, 2, Duration.ofMillis(200));

	/**
	 * Lettuce reconnects only every 5 s, as its exponential back-off does after a long
	 * outage.
	 */
	private final ClientResources slowReconnect = DefaultClientResources.builder()
		.reconnectDelay(Delay.constant(Duration.ofSeconds(5)))
		.build();

	private final TestRedis redis = TestRedis.start();

	private final List<LettuceConnectionFactory> connectionFactories = new ArrayList<>();

	private final List<TierCacheManager> managers = new ArrayList<>();

	private final List<RedisRemoteTier> tiers = new ArrayList<>();

	@AfterEach
	void stop() {
		this.managers.forEach(TierCacheManager::close);
		this.connectionFactories.forEach(LettuceConnectionFactory::destroy);
		this.slowReconnect.shutdown();
		this.redis.close();
	}

	/**
	 * The reader's commands use a new connection each (so the circuit closes as soon as
	 * Redis answers), but its subscription's connection comes back only after the
	 * client's reconnect delay of 5 s.
	 */
	@Test
	void hotCopiesAreDroppedWithinASecondOfRedisAnsweringAgain() {
		TierCache reader = node(this.slowReconnect, SETTINGS, false);
		TierCache writer = node(null, SETTINGS);
		writer.put("k", "old");
		// The reader's first connections open as it reads.
		await().atMost(Duration.ofSeconds(5)).until(() -> "old".equals(reader.get("k", String.class)));
		assertThat(reader.getLocalTier().hotContains("k")).isTrue();
		this.redis.stop();
		awaitCircuitOpen(reader, 0);
		assertThat(reader.get("k", String.class)).as("served from hot during the outage").isEqualTo("old");
		this.redis.restart();
		writer.put("k", "new");
		await().atMost(Duration.ofSeconds(1))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> !reader.getLocalTier().hotContains("k"));
		assertThat(reader.get("k", String.class)).isEqualTo("new");
	}

	@Test
	void dropHotServesAndAdmitsNoHotCopyWhileRedisIsUnreachable() {
		RedisTierSettings dropHot = SETTINGS.withOnOutage(OnOutage.DROP_HOT);
		TierCache reader = node(null, dropHot);
		TierCache writer = node(null, dropHot);
		writer.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		assertThat(reader.getLocalTier().hotContains("k")).isTrue();
		this.redis.stop();
		awaitCircuitOpen(reader, 0);
		assertThat(reader.getLocalTier().hotContains("k")).as("hot copy once the outage is noticed").isFalse();
		AtomicInteger loads = new AtomicInteger();
		assertThat(reader.get("k", () -> "db" + loads.incrementAndGet())).isEqualTo("db1");
		assertThat(reader.get("k", () -> "db" + loads.incrementAndGet())).as("read again: not admitted to hot")
			.isEqualTo("db2");
		assertThat(reader.getLocalTier().hotContains("k")).isFalse();
		this.redis.restart();
		await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).until(() -> {
			reader.get("k", () -> "db" + loads.incrementAndGet());
			return reader.getLocalTier().hotContains("k");
		});
	}

	@Test
	void serveHotKeepsServingHotCopiesWhileRedisIsUnreachable() {
		TierCache reader = node(null, SETTINGS);
		reader.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		this.redis.stop();
		awaitCircuitOpen(reader, 0);
		AtomicInteger loads = new AtomicInteger();
		assertThat(reader.get("k", () -> "db" + loads.incrementAndGet())).isEqualTo("old");
		assertThat(loads).hasValue(0);
	}

	private void awaitCircuitOpen(TierCache cache, int node) {
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			cache.get("probe");
			return this.tiers.get(node).view().degraded();
		});
	}

	private TierCache node(ClientResources resources, RedisTierSettings settings) {
		return node(resources, settings, true);
	}

	private TierCache node(ClientResources resources, RedisTierSettings settings, boolean shareConnection) {
		LettuceConnectionFactory connectionFactory = (resources != null) ? this.redis.connectionFactory(resources)
				: this.redis.connectionFactory();
		connectionFactory.setShareNativeConnection(shareConnection);
		this.connectionFactories.add(connectionFactory);
		RedisRemoteTier tier = RedisRemoteTier.start(connectionFactory, ValueCodec.java(AllowList.of(List.of())),
				settings, () -> "node-" + this.tiers.size());
		this.tiers.add(tier);
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", RedisNodes.BOOKS)
			.remoteTier(tier)
			.build();
		this.managers.add(manager);
		return manager.getCache("books");
	}

}
