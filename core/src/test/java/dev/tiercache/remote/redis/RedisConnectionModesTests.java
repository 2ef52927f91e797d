package dev.tiercache.remote.redis;

import java.util.List;

import dev.tiercache.TierCache;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The connection factories Redis mode works with: Lettuce with one shared connection (its
 * default) or a dedicated connection per operation; Jedis is refused.
 */
class RedisConnectionModesTests {

	private final RedisNodes nodes = new RedisNodes();

	@AfterEach
	void stop() {
		this.nodes.close();
	}

	@Test
	void clearWithADedicatedConnectionPerOperationRemovesEveryEntry() {
		TierCache first = this.nodes.node((connections) -> connections.setShareNativeConnection(false));
		TierCache second = this.nodes.node((connections) -> connections.setShareNativeConnection(false));
		for (int i = 0; i < 510; i++) {
			first.put(i, "v" + i);
		}
		assertThat(second.get(1, String.class)).isEqualTo("v1");
		first.clear();
		assertThat(first.getStats().count(Counter.REDIS_ERRORS)).as("Redis errors").isZero();
		assertThat(this.nodes.tier(0).view().details().get("pendingEvictions")).isEqualTo(0);
		try (RedisConnection connection = this.nodes.connection()) {
			assertThat(connection.keyCommands().keys(RedisNodes.utf8("test:books::*"))).as("entries left").isEmpty();
		}
		assertThat(second.get(1)).isNull();
	}

	@Test
	void jedisIsRefusedWithAMessageThatSaysWhatToDo() {
		JedisConnectionFactory jedis = new JedisConnectionFactory();
		assertThatIllegalStateException()
			.isThrownBy(() -> RedisRemoteTier.create(jedis, ValueCodec.java(AllowList.of(List.of())),
					RedisTierSettings.defaults(), () -> "node"))
			.withMessageContaining("Lettuce")
			.withMessageContaining("spring.data.redis.client-type=lettuce");
	}

}
