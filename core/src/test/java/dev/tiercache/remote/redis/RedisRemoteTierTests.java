package dev.tiercache.remote.redis;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.TestRedis;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.ClusterView;
import dev.tiercache.stats.Counter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Several nodes (managers with their own connections, as separate applications have)
 * sharing one real Redis server of their own, which some tests stop and restart.
 */
class RedisRemoteTierTests {

	private static final TierCacheConfiguration BOOKS = TierCacheConfiguration.defaultCacheConfig()
		.withTtl(Duration.ofMinutes(10))
		.withTtlJitter(0.1)
		.withHotTtl(Duration.ofMinutes(5));

	private static final RedisTierSettings SETTINGS = new RedisTierSettings("test:", Duration.ofSeconds(10),
			Duration.ofMillis(500), Duration.ofMillis(100), false, 2, Duration.ofMillis(200));

	private TestRedis redis;

	private final List<LettuceConnectionFactory> connectionFactories = new ArrayList<>();

	private final List<TierCacheManager> nodes = new ArrayList<>();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@BeforeEach
	void startRedis() {
		this.redis = TestRedis.start();
	}

	@AfterEach
	void stopEverything() throws InterruptedException {
		this.threads.shutdownNow();
		this.threads.awaitTermination(10, TimeUnit.SECONDS);
		this.nodes.forEach(TierCacheManager::close);
		this.connectionFactories.forEach(LettuceConnectionFactory::destroy);
		this.redis.close();
	}

	private TierCache node(TierCacheConfiguration configuration, RedisTierSettings settings) {
		LettuceConnectionFactory connectionFactory = this.redis.connectionFactory();
		this.connectionFactories.add(connectionFactory);
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", configuration)
			.remoteTier(RedisRemoteTier.start(connectionFactory, ValueCodec.java(AllowList.of(List.of())), settings,
					() -> "node-" + this.nodes.size()))
			.build();
		this.nodes.add(manager);
		return manager.getCache("books");
	}

	private TierCache node() {
		return node(BOOKS, SETTINGS);
	}

	@Test
	void threeNodesOfSixteenThreadsLoadEachMissingKeyOnce() throws Exception {
		List<TierCache> caches = List.of(node(), node(), node());
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<?>> callers = new ArrayList<>();
		for (TierCache cache : caches) {
			for (int thread = 0; thread < 16; thread++) {
				callers.add(this.threads.submit(() -> {
					start.await();
					for (int key = 0; key < 100; key++) {
						int id = key;
						String value = cache.get(id, () -> {
							loads.incrementAndGet();
							Thread.sleep(20);
							return "book-" + id;
						});
						assertThat(value).isEqualTo("book-" + id);
					}
					return null;
				}));
			}
		}
		start.countDown();
		for (Future<?> caller : callers) {
			caller.get(120, TimeUnit.SECONDS);
		}
		assertThat(loads).hasValue(100);
		long leaseWaits = caches.stream().mapToLong((cache) -> cache.getStats().count(Counter.LEASE_WAITS)).sum();
		assertThat(leaseWaits).as("callers on other nodes waited for the lease holder").isPositive();
	}

	@Test
	void evictionOnOneNodeIsNeverFollowedByAStaleReadOnAnother() {
		TierCache first = node();
		TierCache second = node();
		TierCache third = node();
		for (int round = 0; round < 50; round++) {
			String old = "v" + round;
			first.put("k", old);
			assertThat(second.get("k", String.class)).isEqualTo(old);
			assertThat(third.get("k", String.class)).isEqualTo(old);
			assertThat(second.getLocalTier().hotContains("k")).as("second node keeps a hot copy").isTrue();
			first.evict("k");
			assertThat(second.get("k")).as("round %d on the second node", round).isNull();
			assertThat(third.get("k")).as("round %d on the third node", round).isNull();
		}
		assertThat(second.getStats().count(Counter.INVALIDATIONS_RECEIVED)).isGreaterThanOrEqualTo(50);
	}

	@Test
	void putOnOneNodeReplacesHotCopiesOnTheOthers() {
		TierCache first = node();
		TierCache second = node();
		first.put("k", "old");
		assertThat(second.get("k", String.class)).isEqualTo("old");
		first.put("k", "new");
		assertThat(second.get("k", String.class)).isEqualTo("new");
	}

	@Test
	void clearOnOneNodeClearsEveryNode() {
		TierCache first = node();
		TierCache second = node();
		first.put("a", "1");
		assertThat(second.get("a", String.class)).isEqualTo("1");
		first.clear();
		assertThat(second.get("a")).isNull();
		// Only the count of the cache's clears remains, which loads that overlap a clear
		// read.
		assertThat(redisKeys()).containsExactly("test:clears:books");
	}

	@Test
	void ttlsInRedisAreSetAsConfigured() {
		TierCache cache = node();
		for (int i = 0; i < 20; i++) {
			cache.put(i, "v");
		}
		cache.get(100, () -> "loaded");
		cache.put("n", null);
		try (RedisConnection connection = this.redis.connectionFactory().getConnection()) {
			for (Object key : List.of(0, 7, 19, 100)) {
				Long ttl = connection.keyCommands().pTtl(utf8("test:books::{" + key + "}"));
				assertThat(ttl).as("PTTL of %s", key)
					.isBetween(Duration.ofMinutes(9).toMillis(), Duration.ofMinutes(10).toMillis());
			}
			assertThat(connection.keyCommands().pTtl(utf8("test:books::{n}")))
				.isBetween(Duration.ofSeconds(50).toMillis(), Duration.ofMinutes(1).toMillis());
		}
	}

	@Test
	void timeToIdleSlidesTheTtlOnRead() throws Exception {
		RedisTierSettings sliding = new RedisTierSettings("test:", Duration.ofSeconds(10), Duration.ofMillis(500),
				Duration.ofMillis(100), true, 2, Duration.ofMillis(200));
		TierCache cache = node(BOOKS.withTtl(Duration.ofSeconds(60)).withTtlJitter(0).withHotRatio(0), sliding);
		cache.put("k", "v");
		try (RedisConnection connection = this.redis.connectionFactory().getConnection()) {
			connection.keyCommands().pExpire(utf8("test:books::{k}"), 5_000);
			assertThat(cache.get("k", String.class)).isEqualTo("v");
			assertThat(connection.keyCommands().pTtl(utf8("test:books::{k}"))).isGreaterThan(50_000);
		}
	}

	@Test
	void redisStoppedWhileEightThreadsReadFailsNoRequestAndRecoversWithoutStaleCopies() throws Exception {
		// Short-lived hot copies, so that the readers keep going to Redis.
		TierCacheConfiguration config = BOOKS.withHotTtl(Duration.ofMillis(20));
		TierCache first = node(config, SETTINGS);
		TierCache second = node(config, SETTINGS);
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicLong failures = new AtomicLong();
		AtomicLong reads = new AtomicLong();
		List<Future<?>> readers = new ArrayList<>();
		for (int thread = 0; thread < 8; thread++) {
			TierCache cache = (thread % 2 == 0) ? first : second;
			readers.add(this.threads.submit(() -> {
				int i = 0;
				while (running.get()) {
					int key = 100 + (i++ % 200);
					try {
						assertThat(cache.get(key, () -> "book-" + key)).isEqualTo("book-" + key);
						reads.incrementAndGet();
					}
					catch (RuntimeException | AssertionError ex) {
						failures.incrementAndGet();
					}
				}
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() > 1000);
		first.put(1, "before");
		assertThat(second.get(1, String.class)).isEqualTo("before");
		this.redis.stop();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> first.getStats().count(Counter.REDIS_ERRORS) > 0
					&& second.getStats().count(Counter.REDIS_ERRORS) > 0);
		long readsDuringOutage = reads.get();
		await().atMost(Duration.ofSeconds(30)).until(() -> reads.get() > readsDuringOutage + 1000);
		this.redis.restart();
		await().atMost(Duration.ofSeconds(30)).until(() -> !view(0).degraded() && !view(1).degraded());
		// Redis came back empty, which each node notices (and writes again what it wrote
		// in the last minute, MasterChanges); then a write is seen everywhere.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> (int) view(0).details().get("dataChangedHands") > 0
					&& (int) view(1).details().get("dataChangedHands") > 0
					&& (int) view(0).details().get("pendingEvictions") == 0
					&& (int) view(1).details().get("pendingEvictions") == 0);
		first.put(1, "after");
		assertThat(second.get(1, String.class)).isEqualTo("after");
		running.set(false);
		for (Future<?> reader : readers) {
			reader.get(30, TimeUnit.SECONDS);
		}
		assertThat(failures).as("failed requests").hasValue(0);
		assertThat(reads.get()).isGreaterThan(readsDuringOutage + 1000);
	}

	@Test
	void hotCopiesFromBeforeAnOutageAreDroppedWhenRedisIsBack() {
		TierCache first = node();
		TierCache second = node();
		first.put("k", "old");
		assertThat(second.get("k", String.class)).isEqualTo("old");
		assertThat(second.getLocalTier().hotContains("k")).isTrue();
		this.redis.stop();
		await().atMost(Duration.ofSeconds(30)).until(() -> view(1).degraded());
		assertThat(second.get("k", String.class)).as("served from hot while Redis is down").isEqualTo("old");
		this.redis.restart();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> !view(1).degraded() && !second.getLocalTier().hotContains("k"));
		assertThat(second.get("k")).as("Redis came back empty").isNull();
	}

	@Test
	void evictionThatCouldNotReachRedisIsReplayedWhenRedisIsBack() {
		TierCache first = node();
		TierCache second = node();
		first.put("k", "old");
		assertThat(second.get("k", String.class)).isEqualTo("old");
		// Redis keeps its data but answers no one for two seconds.
		try (RedisConnection admin = this.redis.connectionFactory().getConnection()) {
			admin.execute("CLIENT", utf8("PAUSE"), utf8("2000"), utf8("ALL"));
		}
		first.evict("k");
		assertThat(first.getStats().count(Counter.REDIS_ERRORS)).isPositive();
		assertThat(view(0).details().get("pendingEvictions")).isEqualTo(1);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Integer.valueOf(0).equals(view(0).details().get("pendingEvictions")) && !view(1).degraded());
		assertThat(redisKeys()).as("the eviction reached Redis").isEmpty();
		assertThat(second.get("k")).isNull();
	}

	@Test
	void nodeStartedWhileRedisIsDownJoinsWhenRedisComesUp() {
		this.redis.stop();
		TierCache early = node();
		assertThat(early.get("k", () -> "loaded locally")).isEqualTo("loaded locally");
		assertThat(view(0).degraded()).isTrue();
		this.redis.restart();
		TierCache other = node();
		await().atMost(Duration.ofSeconds(30)).until(() -> !view(0).degraded());
		other.put("k", "shared");
		assertThat(early.get("k", String.class)).isEqualTo("shared");
		other.evict("k");
		assertThat(early.get("k")).isNull();
	}

	@Test
	void classOutsideTheAllowListIsRefusedWithoutRunningItsCode() throws Exception {
		TierCache cache = node();
		Exploit.triggered.set(false);
		try (RedisConnection connection = this.redis.connectionFactory().getConnection()) {
			// Stamped for its key, as tiercache stores it: the codec sees it.
			connection.stringCommands()
				.set(utf8("test:books::{k}"), KeyStamps.stamped(
						new KeyStamps(ValueCodec.java(AllowList.of(List.of()))).of("k"), javaSerialize(new Exploit())));
		}
		assertThat(cache.get("k")).isNull();
		assertThat(Exploit.triggered).isFalse();
		assertThat(cache.getStats().count(Counter.REJECTED_PAYLOADS)).isEqualTo(1);
		assertThat(cache.get("k", () -> "fresh")).isEqualTo("fresh");
		assertThat(node().get("k", String.class)).isEqualTo("fresh");
	}

	@Test
	void malformedMessagesAreDroppedAndCounted() {
		TierCache cache = node();
		RedisRemoteTier tier = (RedisRemoteTier) this.nodes.get(0).getRemoteTier();
		try (RedisConnection connection = this.redis.connectionFactory().getConnection()) {
			connection.publish(utf8("test:events"), utf8("not a tiercache message"));
			connection.publish(utf8("test:events"), new byte[] { 0x7C, 1, 0 });
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> ((Number) tier.view().details().get("rejectedPayloads")).longValue() == 2);
		cache.put("k", "v");
		assertThat(cache.get("k", String.class)).isEqualTo("v");
	}

	@Test
	void unserializableValueIsKeptOnTheWriterOnlyAndTheOldValueIsGoneEverywhere() {
		TierCache writer = node();
		TierCache other = node();
		other.put(42L, "old");
		Object notSerializable = new Object();
		writer.put(42L, notSerializable);
		assertThat(writer.getStats().count(Counter.REJECTED_PAYLOADS)).isEqualTo(1);
		assertThat(writer.get(42L).get()).isSameAs(notSerializable);
		assertThat(other.get(42L)).isNull();
	}

	@Test
	void loaderFailureReleasesTheLeaseSoTheNextCallerLoads() {
		TierCache first = node();
		TierCache second = node();
		assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> first.get("k", () -> {
			throw new IllegalStateException("database down");
		}));
		assertThat(second.get("k", () -> "loaded")).isEqualTo("loaded");
		assertThat(second.getStats().count(Counter.LEASE_WAITS)).isZero();
	}

	@Test
	void leaseOfADeadLoaderExpires() {
		RedisTierSettings shortLeases = new RedisTierSettings("test:", Duration.ofMillis(300), Duration.ofMillis(500),
				Duration.ofMillis(100), false, 2, Duration.ofMillis(200));
		TierCache cache = node(BOOKS, shortLeases);
		try (RedisConnection connection = this.redis.connectionFactory().getConnection()) {
			// A lease taken by a node that died before it loaded.
			connection.stringCommands().set(utf8("test:books::{k}:lock"), utf8("dead-node"));
			connection.keyCommands().pExpire(utf8("test:books::{k}:lock"), 300);
		}
		assertThat(cache.get("k", () -> "loaded")).isEqualTo("loaded");
		assertThat(cache.getStats().count(Counter.LEASE_WAITS)).isEqualTo(1);
		assertThat(cache.getStats().count(Counter.LOADS)).isEqualTo(1);
	}

	private ClusterView view(int node) {
		return this.nodes.get(node).getRemoteTier().view();
	}

	private List<String> redisKeys() {
		List<String> keys = new ArrayList<>();
		try (RedisConnection connection = this.redis.connectionFactory().getConnection()) {
			connection.keyCommands()
				.keys(utf8("test:*"))
				.forEach((key) -> keys.add(new String(key, StandardCharsets.UTF_8)));
		}
		return keys;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] javaSerialize(Object value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

	/**
	 * Stands for a deserialization gadget: its readObject must never run.
	 */
	static class Exploit implements Serializable {

		static final AtomicBoolean triggered = new AtomicBoolean();

		private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
			triggered.set(true);
			in.defaultReadObject();
		}

	}

}
