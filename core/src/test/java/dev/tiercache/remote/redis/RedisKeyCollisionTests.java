package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.tiercache.TierCache;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.data.redis.connection.RedisConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Keys whose string forms (their Redis names) are the same: {@code 1}, {@code 1L} and
 * {@code "1"}; {@code SimpleKey("a, b", "c")} and {@code SimpleKey("a", "b, c")}. They
 * share one Redis entry and one lease, but a node never reads another key's value: the
 * entry is stamped with its key ({@link KeyStamps}). Entries of an older format, or
 * corrupt ones, read as misses. Reads are made by nodes that did not write, so that a hot
 * copy cannot answer for Redis.
 */
class RedisKeyCollisionTests {

	private static final ValueCodec CODEC = ValueCodec.java(AllowList.of(List.of()));

	private final RedisNodes nodes = new RedisNodes();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void stop() throws InterruptedException {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		this.nodes.close();
	}

	@Test
	void aKeyDoesNotReadTheValueOfAnotherKeyOfTheSameName() {
		TierCache writer = this.nodes.node();
		TierCache reader = this.nodes.node();
		writer.put(1L, "long");
		writer.put(new SimpleKey("a, b", "c"), "first pair");
		assertThat(reader.get(1)).as("Integer 1 after a put of Long 1").isNull();
		assertThat(reader.get("1")).as("\"1\" after a put of Long 1").isNull();
		assertThat(reader.get(new SimpleKey("a", "b, c"))).as("the other pair").isNull();
		assertThat(reader.getStats().count(Counter.KEY_COLLISIONS)).as("collisions counted").isEqualTo(3);
		assertThat(reader.get(1L, String.class)).isEqualTo("long");
		assertThat(reader.get(new SimpleKey("a, b", "c"), String.class)).isEqualTo("first pair");
	}

	@Test
	void aLoadForOneKeyIsNotServedToAnotherKeyOfTheSameName() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		TierCache third = this.nodes.node();
		assertThat(first.get(1L, () -> "long")).isEqualTo("long");
		assertThat(second.get(1, () -> "int")).as("Integer 1 loads its own value").isEqualTo("int");
		assertThat(third.get(1, () -> "wrong")).as("Integer 1 from Redis").isEqualTo("int");
		assertThat(third.get(1L, () -> "long again")).as("Long 1, replaced in Redis by Integer 1, reloads")
			.isEqualTo("long again");
	}

	@Test
	void putIfAbsentOfAKeyIsNotAnsweredWithAnotherKeysValue() {
		TierCache writer = this.nodes.node();
		TierCache other = this.nodes.node();
		writer.put(1L, "long");
		assertThat(other.putIfAbsent(1, "int")).as("Integer 1 was absent").isNull();
		assertThat(this.nodes.node().get(1, String.class)).isEqualTo("int");
	}

	/**
	 * Two colliding keys load at once on two nodes: the lease is the name's, so the
	 * second waits for the first; when the first has stored its value, the second still
	 * misses and loads its own.
	 */
	@Test
	void collidingKeysLoadingAtOnceEachGetTheirOwnValue() throws Exception {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		CountDownLatch firstLoading = new CountDownLatch(1);
		CountDownLatch releaseFirst = new CountDownLatch(1);
		AtomicInteger secondLoads = new AtomicInteger();
		CompletableFuture<String> longValue = CompletableFuture.supplyAsync(() -> first.get(1L, () -> {
			firstLoading.countDown();
			releaseFirst.await();
			return "long";
		}), this.threads);
		assertThat(firstLoading.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<String> intValue = CompletableFuture.supplyAsync(() -> second.get(1, () -> {
			secondLoads.incrementAndGet();
			return "int";
		}), this.threads);
		await().atMost(Duration.ofSeconds(10)).until(() -> second.getStats().count(Counter.LEASE_WAITS) == 1);
		releaseFirst.countDown();
		assertThat(longValue.get(10, TimeUnit.SECONDS)).isEqualTo("long");
		assertThat(intValue.get(10, TimeUnit.SECONDS)).isEqualTo("int");
		assertThat(secondLoads).as("loads of Integer 1").hasValue(1);
	}

	@Test
	void entriesOfAnOlderFormatOrCorruptReadAsMisses() {
		TierCache cache = this.nodes.node();
		List<byte[]> hostile = List.of(CODEC.encode("unstamped"), new byte[0], new byte[] { (byte) 0xF7, 't', 'c' },
				new byte[] { (byte) 0xF7, 't', 'c', 2, 1, 2, 3 },
				KeyStamps.stamped(new KeyStamps(CODEC).of("other"), CODEC.encode("other's")));
		int round = 0;
		for (byte[] stored : hostile) {
			String key = "k" + round++;
			set("test:books::{" + key + "}", stored);
			assertThat(cache.get(key)).as("read of %s", key).isNull();
			set("test:books::{" + key + "}", stored);
			assertThat(cache.get(key, () -> "fresh")).as("load of %s", key).isEqualTo("fresh");
			assertThat(this.nodes.node().get(key, String.class)).as("the load replaced %s", key).isEqualTo("fresh");
		}
		assertThat(cache.getStats().count(Counter.REDIS_ERRORS)).isZero();
	}

	/**
	 * A value stamped for its key but refused by the codec is a rejected payload, and is
	 * replaced by the next load.
	 */
	@Test
	void stampedValueTheCodecRefusesIsReplaced() {
		TierCache cache = this.nodes.node();
		set("test:books::{k}", KeyStamps.stamped(new KeyStamps(CODEC).of("k"),
				new byte[] { (byte) 0xAC, (byte) 0xED, 0, 5, (byte) 0xFF }));
		assertThat(cache.get("k")).isNull();
		assertThat(cache.getStats().count(Counter.REJECTED_PAYLOADS)).isEqualTo(1);
		assertThat(cache.get("k", () -> "fresh")).isEqualTo("fresh");
		assertThat(this.nodes.node().get("k", String.class)).isEqualTo("fresh");
	}

	/**
	 * Invalidation stays by name: evicting any key of a name removes the entry and every
	 * hot copy of a key of that name, on every node.
	 */
	@Test
	void evictingOneKeyOfANameDropsTheHotCopiesOfEveryKeyOfThatName() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		first.put(150L, "long");
		assertThat(second.get(150L, String.class)).isEqualTo("long");
		assertThat(second.getLocalTier().hotContains(150L)).isTrue();
		first.evict("150");
		assertThat(second.get(150L)).isNull();
		assertThat(this.nodes.exists("test:books::{150}")).isFalse();
	}

	private void set(String key, byte[] value) {
		try (RedisConnection connection = this.nodes.connection()) {
			connection.stringCommands().set(RedisNodes.utf8(key), value);
		}
	}

}
