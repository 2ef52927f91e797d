package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.TierCache;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Key names on a Redis Cluster (of one master, which applies the cluster's slot rules):
 * whatever a key's name, its value and its lease share a slot.
 */
class RedisKeyNamingTests {

	/** Names that give no hash tag of their own, or an odd one. */
	private static final List<String> ODD_NAMES = List.of("", "}", "{", "}x", "{}", "a{b}", "x}y{z", "\\", "plain");

	private final RedisNodes nodes = RedisNodes.onCluster();

	@AfterEach
	void stop() {
		this.nodes.close();
	}

	@Test
	void keysWithAnEmptyOrOddHashTagAreLoadedOnceInTheClusterAndEvictedEverywhere() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		for (String name : ODD_NAMES) {
			AtomicInteger loads = new AtomicInteger();
			assertThat(first.get(name, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
			assertThat(second.get(name, () -> "v" + loads.incrementAndGet())).as("key '%s' on the second node", name)
				.isEqualTo("v1");
			assertThat(loads).as("loads of key '%s'", name).hasValue(1);
			first.evict(name);
			assertThat(second.get(name)).as("key '%s' after its eviction", name).isNull();
		}
		assertThat(first.getStats().count(Counter.REDIS_ERRORS) + second.getStats().count(Counter.REDIS_ERRORS))
			.as("Redis errors")
			.isZero();
	}

	@Test
	void pendingEvictionOfAKeyWithAnEmptyHashTagDoesNotBlockLaterReplays() {
		TierCache cache = this.nodes.node();
		cache.put("k", "v");
		cache.evict("");
		this.nodes.pause(Duration.ofMillis(1000), "ALL");
		cache.evict("k");
		this.nodes.awaitAnswering();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Integer.valueOf(0).equals(this.nodes.tier(0).view().details().get("pendingEvictions")));
		assertThat(this.nodes.exists("test:books::{k}")).as("the replayed eviction reached Redis").isFalse();
	}

}
