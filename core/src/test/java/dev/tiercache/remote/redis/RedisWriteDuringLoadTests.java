package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.tiercache.TierCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write on another node while this node loads a key: callers that come after the write
 * must not be handed the load that began before it. The redis history test found them
 * joining it.
 */
class RedisWriteDuringLoadTests {

	private final RedisNodes nodes = new RedisNodes();

	@AfterEach
	void close() throws Exception {
		this.nodes.close();
	}

	@Test
	void callerAfterAnEvictionOnAnotherNodeDoesNotJoinTheLoadThatBeganBeforeIt() throws Exception {
		TierCache loading = this.nodes.node();
		TierCache writer = this.nodes.node();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch finish = new CountDownLatch(1);
		CompletableFuture<Object> before = CompletableFuture.supplyAsync(() -> loading.get(150L, () -> {
			started.countDown();
			finish.await();
			return "read before the write";
		}));
		assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
		// Evicted by name, as the actuator endpoint does: "150" is the key 150L's name.
		writer.evict("150");
		CompletableFuture<Object> after = CompletableFuture
			.supplyAsync(() -> loading.get(150L, () -> "read after the write"));
		try {
			assertThat(after).succeedsWithin(Duration.ofSeconds(5)).isEqualTo("read after the write");
		}
		finally {
			finish.countDown();
		}
		assertThat(before).succeedsWithin(Duration.ofSeconds(5));
	}

}
