package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.tiercache.TierCache;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Redis tier as a Spring lifecycle bean: stopped and started again (as a context
 * refresh or a checkpoint and restore do), and stopped after the web server's graceful
 * drain.
 */
class RedisLifecycleTests {

	private final RedisNodes nodes = new RedisNodes();

	@AfterEach
	void stop() {
		this.nodes.close();
	}

	@Test
	void stoppedTierStartsAgainAndHearsTheOtherNodes() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		RedisRemoteTier tier = this.nodes.tier(0);
		second.put("k", "v1");
		assertThat(first.get("k", String.class)).isEqualTo("v1");
		for (int round = 2; round <= 3; round++) {
			tier.stop();
			assertThat(tier.isRunning()).isFalse();
			// Written while the first node hears nothing.
			second.put("k", "v" + round);
			tier.start();
			assertThat(tier.isRunning()).isTrue();
			assertThat(first.get("k", String.class)).as("after restart %d", round).isEqualTo("v" + round);
			await().atMost(Duration.ofSeconds(10)).until(() -> !tier.view().degraded());
			second.put("k", "w" + round);
			assertThat(first.get("k", String.class)).as("a write after restart %d", round).isEqualTo("w" + round);
		}
	}

	@Test
	void tierStopsAfterTheWebServerHasDrainedItsRequests() {
		LettuceConnectionFactory connections = this.nodes.connectionFactory();
		AtomicReference<Boolean> runningDuringDrain = new AtomicReference<>();
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.registerBean(RedisRemoteTier.class, () -> RedisRemoteTier.create(connections,
					ValueCodec.java(AllowList.of(List.of())), RedisNodes.SETTINGS, () -> "node"));
			// Spring Boot's graceful shutdown of the web server is a lifecycle of this
			// phase.
			context.registerBean(GracefulDrain.class, () -> new GracefulDrain(
					() -> runningDuringDrain.set(context.getBean(RedisRemoteTier.class).isRunning())));
			context.refresh();
			assertThat(context.getBean(RedisRemoteTier.class).isRunning()).isTrue();
		}
		assertThat(runningDuringDrain.get()).as("Redis tier running while requests drain").isTrue();
	}

	/**
	 * Stands for Spring Boot's {@code WebServerGracefulShutdownLifecycle}.
	 */
	static final class GracefulDrain implements SmartLifecycle {

		private final Runnable onStop;

		private volatile boolean running;

		GracefulDrain(Runnable onStop) {
			this.onStop = onStop;
		}

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			this.onStop.run();
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return SmartLifecycle.DEFAULT_PHASE - 1024;
		}

	}

}
