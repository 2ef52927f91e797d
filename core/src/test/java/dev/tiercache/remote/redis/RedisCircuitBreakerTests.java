package dev.tiercache.remote.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.tiercache.TierCache;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The circuit breaker in front of Redis: what opens it, how it probes, and what its
 * closing does to the hot tiers.
 */
class RedisCircuitBreakerTests {

	private final RedisNodes nodes = new RedisNodes();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void stop() throws InterruptedException {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		this.nodes.close();
	}

	@Test
	void halfOpenCircuitLetsOneTrialCommandThrough() throws Exception {
		Duration retryInterval = Duration.ofMillis(300);
		// A heartbeat that does not probe during the test.
		RedisTierSettings settings = new RedisTierSettings("test:", Duration.ofSeconds(10), Duration.ofMillis(500),
				Duration.ofSeconds(30), false, 2, retryInterval);
		TierCache cache = this.nodes.node(RedisNodes.BOOKS, settings);
		cache.get("warm-up");
		this.nodes.execute("CONFIG", "RESETSTAT");
		// Commands sent while Redis is paused run when the pause ends, so Redis counts
		// every command that was sent.
		this.nodes.pause(Duration.ofMillis(4000), "ALL");
		assertThat(cache.get("a")).isNull();
		assertThat(cache.get("b")).isNull();
		long opened = System.nanoTime();
		await().atMost(Duration.ofSeconds(2)).until(() -> System.nanoTime() - opened > retryInterval.toNanos() * 3 / 2);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> readers = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			String key = "t" + i;
			readers.add(this.threads.submit(() -> {
				start.await();
				return cache.get(key);
			}));
		}
		start.countDown();
		for (Future<?> reader : readers) {
			assertThat(reader.get(10, TimeUnit.SECONDS)).isNull();
		}
		this.nodes.awaitAnswering();
		assertThat(commandCalls("evalsha")).as("FETCH scripts sent: two that opened the circuit, then trials")
			.isEqualTo(2 + 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			cache.put("k", "v");
			return !this.nodes.tier(0).view().degraded();
		});
	}

	@Test
	void commandErrorsThatARetryCannotFixDoNotOpenTheCircuit() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		// WRONGTYPE: the key holds a list.
		this.nodes.execute("LPUSH", "test:books::{listed}", "x");
		for (int i = 0; i < 5; i++) {
			assertThat(first.get("listed")).isNull();
		}
		// OOM: Redis refuses writes.
		this.nodes.execute("CONFIG", "SET", "maxmemory", "1");
		for (int i = 0; i < 5; i++) {
			first.put("refused" + i, "v");
		}
		this.nodes.execute("CONFIG", "SET", "maxmemory", "0");
		assertThat(first.getStats().count(Counter.REDIS_ERRORS)).as("errors counted").isGreaterThanOrEqualTo(10);
		assertThat(this.nodes.tier(0).view().degraded()).as("degraded").isFalse();
		first.put("k", "shared");
		assertThat(second.get("k", String.class)).isEqualTo("shared");
	}

	@Test
	void circuitThatClosesWhileTheSubscriptionLivedKeepsTheHotCopies() {
		// Heartbeats every second: a pause of 1.2 s is shorter than three of them.
		RedisTierSettings settings = new RedisTierSettings("test:", Duration.ofSeconds(10), Duration.ofMillis(500),
				Duration.ofSeconds(1), false, 2, Duration.ofMillis(200));
		TierCache cache = this.nodes.node(RedisNodes.BOOKS, settings);
		try (RedisConnection connection = this.nodes.connection()) {
			connection.stringCommands()
				.set(RedisNodes.utf8("test:books::{k}"),
						KeyStamps.stamped(new KeyStamps(ValueCodec.java(AllowList.of(List.of()))).of("k"),
								ValueCodec.java(AllowList.of(List.of())).encode("v")));
		}
		assertThat(cache.get("k", String.class)).isEqualTo("v");
		assertThat(cache.getLocalTier().hotContains("k")).isTrue();
		this.nodes.pause(Duration.ofMillis(1200), "ALL");
		assertThat(cache.get("a")).isNull();
		assertThat(cache.get("b")).isNull();
		assertThat(this.nodes.tier(0).view().degraded()).as("circuit open").isTrue();
		this.nodes.awaitAnswering();
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			cache.get("c");
			return !this.nodes.tier(0).view().degraded();
		});
		// What the closing circuit does runs before the next two heartbeats (PUBLISH).
		long published = commandCalls("publish");
		await().atMost(Duration.ofSeconds(10)).until(() -> commandCalls("publish") >= published + 2);
		assertThat(cache.getLocalTier().hotContains("k")).as("hot copy after the circuit closed").isTrue();
	}

	private long commandCalls(String command) {
		Object reply = this.nodes.execute("INFO", "commandstats");
		String info = (reply instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
				: String.valueOf(reply);
		Matcher matcher = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(info);
		return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
	}

}
