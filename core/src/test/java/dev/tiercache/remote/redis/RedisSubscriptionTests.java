package dev.tiercache.remote.redis;

import java.time.Duration;

import dev.tiercache.TierCache;
import io.lettuce.core.ClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Gaps in a node's subscription to invalidations: short ones that Lettuce heals by
 * itself, and a subscription that stays dead.
 */
class RedisSubscriptionTests {

	/**
	 * A heartbeat every second: a gap of a few hundred milliseconds goes unheard by it.
	 */
	private static final RedisTierSettings SLOW_HEARTBEAT = new RedisTierSettings("test:", Duration.ofSeconds(10),
			Duration.ofMillis(500), Duration.ofSeconds(1), false, 2, Duration.ofMillis(200));

	private final RedisNodes nodes = new RedisNodes();

	@AfterEach
	void stop() {
		this.nodes.close();
	}

	@Test
	void writeMissedInAShortSubscriptionGapLeavesNoStaleCopy() throws Exception {
		this.nodes.execute("ACL", "SETUSER", "reader", "on", ">secret", "~*", "&*", "+@all");
		TierCache writer = this.nodes.node(RedisNodes.BOOKS, SLOW_HEARTBEAT);
		TierCache reader = this.nodes.nodeAs("reader", "secret", SLOW_HEARTBEAT, ClientOptions.create());
		writer.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		// The reader's subscription drops and cannot come back until the write is done.
		this.nodes.execute("ACL", "SETUSER", "reader", "off");
		assertThat(this.nodes.killSubscriptionsOf("reader")).isOne();
		writer.put("k", "new");
		this.nodes.execute("ACL", "SETUSER", "reader", "on");
		await().atMost(Duration.ofSeconds(2))
			.untilAsserted(() -> assertThat(reader.get("k", String.class)).as("the reader after a short gap")
				.isEqualTo("new"));
	}

	@Test
	void subscriptionThatStaysDeadIsStartedAgain() throws Exception {
		this.nodes.execute("ACL", "SETUSER", "reader", "on", ">secret", "~*", "&*", "+@all");
		TierCache writer = this.nodes.node();
		// A client that never reconnects by itself.
		TierCache reader = this.nodes.nodeAs("reader", "secret", RedisNodes.SETTINGS,
				ClientOptions.builder().autoReconnect(false).build());
		writer.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		assertThat(this.nodes.killSubscriptionsOf("reader")).isOne();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.nodes.tier(1).view().degraded());
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.nodes.tier(1).view().degraded());
		writer.put("k", "new");
		assertThat(reader.get("k", String.class)).as("the reader after its subscription was restarted")
			.isEqualTo("new");
	}

}
