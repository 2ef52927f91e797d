package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.tiercache.FakeTicker;
import dev.tiercache.TestRedisSentinel;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheManager;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.redis.RedisTierSettings.ClientTracking;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KillArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Server-assisted invalidation ({@code CLIENT TRACKING ... BCAST}): changes of an entry
 * in Redis that tiercache never announces (a plain client's {@code SET} and {@code DEL},
 * expiry, {@code FLUSHALL}) reach the hot copies, also after the tracking connection was
 * cut.
 */
class ServerTrackingTests {

	private static final RedisTierSettings TRACKING = RedisNodes.SETTINGS.withClientTracking(ClientTracking.ON);

	private static final Duration BOUND = Duration.ofSeconds(5);

	private final ValueCodec codec = ValueCodec.java(AllowList.of(List.of()));

	private final RedisNodes nodes = new RedisNodes();

	private TierCacheManager ownManager;

	@AfterEach
	void stop() {
		if (this.ownManager != null) {
			this.ownManager.close();
		}
		this.nodes.close();
	}

	@Test
	void setAndDelByAnotherClientDropHotCopy() {
		TierCache writer = this.nodes.node(RedisNodes.BOOKS, TRACKING);
		TierCache reader = this.nodes.node(RedisNodes.BOOKS, TRACKING);
		awaitActive(1);
		writer.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		plainSet("test:books::{k}", "new");
		await().atMost(BOUND).untilAsserted(() -> assertThat(reader.get("k", String.class)).isEqualTo("new"));
		plainDel("test:books::{k}");
		await().atMost(BOUND).untilAsserted(() -> assertThat(reader.get("k")).isNull());
		assertThat((Long) this.nodes.tier(1).view().details().get("trackingInvalidations")).isPositive();
	}

	@Test
	void keyWithBracesAndBackslashesIsMappedBackToItsName() {
		TierCache writer = this.nodes.node(RedisNodes.BOOKS, TRACKING);
		TierCache reader = this.nodes.node(RedisNodes.BOOKS, TRACKING);
		awaitActive(1);
		String key = "a{b}::{c}\\";
		writer.put(key, "old");
		assertThat(reader.get(key, String.class)).isEqualTo("old");
		plainSetOfKey(new RedisKeys("test:").valueKey("books", key), key, "new");
		await().atMost(BOUND).untilAsserted(() -> assertThat(reader.get(key, String.class)).isEqualTo("new"));
	}

	@Test
	void sentinelMasterTracksWritesOfOtherClients() {
		try (TestRedisSentinel sentinel = TestRedisSentinel.start()) {
			LettuceConnectionFactory connections = sentinel.connectionFactory();
			LettuceConnectionFactory admin = sentinel.connectionFactory();
			RedisRemoteTier tier = RedisRemoteTier.start(connections, this.codec, TRACKING, () -> "sentinel");
			try (TierCacheManager manager = TierCacheManager.builder()
				.withCacheConfiguration("books", RedisNodes.BOOKS)
				.remoteTier(tier)
				.build()) {
				TierCache cache = manager.getCache("books");
				assertThat(tier.view().details()).containsEntry("clientTracking", "active");
				cache.put("k", "old");
				assertThat(cache.get("k", String.class)).isEqualTo("old");
				try (RedisConnection connection = admin.getConnection()) {
					connection.stringCommands().set(RedisNodes.utf8("test:books::{k}"), stamped("k", "new"));
				}
				await().atMost(BOUND).untilAsserted(() -> assertThat(cache.get("k", String.class)).isEqualTo("new"));
			}
			finally {
				connections.destroy();
				admin.destroy();
			}
		}
	}

	@Test
	void unescapeReversesTheEscapingOfKeyNames() {
		for (String name : List.of("", "a", "{", "}", "\\", "\\0", "a{b}c\\d", "::{x}", "\\[")) {
			assertThat(TrackedKeys.unescape(RedisKeys.escape(name))).as(name).isEqualTo(name);
		}
	}

	@Test
	void expiryInRedisDropsHotCopy() {
		// The reader's clock stands still: only Redis can tell it that the entry expired.
		FakeTicker ticker = new FakeTicker();
		RedisRemoteTier tier = RedisRemoteTier.start(this.nodes.connectionFactory(), this.codec, TRACKING,
				() -> "frozen");
		this.ownManager = TierCacheManager.builder()
			.withCacheConfiguration("books", RedisNodes.BOOKS)
			.remoteTier(tier)
			.ticker(ticker)
			.build();
		TierCache reader = this.ownManager.getCache("books");
		await().atMost(BOUND).until(() -> "active".equals(tier.view().details().get("clientTracking")));
		plainSet("test:books::{k}", "short-lived", "PX", "300");
		assertThat(reader.get("k", String.class)).isEqualTo("short-lived");
		await().atMost(BOUND).untilAsserted(() -> assertThat(reader.get("k")).isNull());
	}

	@Test
	void flushAllDropsEveryHotCopy() {
		TierCache writer = this.nodes.node(RedisNodes.BOOKS, TRACKING);
		TierCache reader = this.nodes.node(RedisNodes.BOOKS, TRACKING);
		awaitActive(1);
		writer.put("a", "1");
		writer.put("b", "2");
		assertThat(reader.get("a", String.class)).isEqualTo("1");
		assertThat(reader.get("b", String.class)).isEqualTo("2");
		this.nodes.execute("FLUSHALL");
		await().atMost(BOUND).untilAsserted(() -> {
			assertThat(reader.get("a")).isNull();
			assertThat(reader.get("b")).isNull();
		});
	}

	@Test
	void reconnectEnablesTrackingAgainAndDropsHotCopies() throws Exception {
		this.nodes.execute("ACL", "SETUSER", "reader", "on", ">secret", "~*", "&*", "+@all");
		TierCache writer = this.nodes.node(RedisNodes.BOOKS, TRACKING);
		TierCache reader = this.nodes.nodeAs("reader", "secret", TRACKING, ClientOptions.create());
		awaitActive(1);
		writer.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		// Cut the reader's tracking connection only (its subscription stays, so it sees
		// no gap of its own) and keep it out while the entry changes.
		this.nodes.execute("ACL", "SETUSER", "reader", "off");
		killClient(trackingClientOf("reader"));
		plainSet("test:books::{k}", "changed during the gap");
		this.nodes.execute("ACL", "SETUSER", "reader", "on");
		await().atMost(BOUND)
			.untilAsserted(() -> assertThat(reader.get("k", String.class)).as("the reader after the gap")
				.isEqualTo("changed during the gap"));
		awaitActive(1);
		plainSet("test:books::{k}", "after the gap");
		await().atMost(BOUND)
			.untilAsserted(() -> assertThat(reader.get("k", String.class)).as("tracking enabled again")
				.isEqualTo("after the gap"));
	}

	@Test
	void trackingOffKeepsHotCopyOfOtherClientsWrite() {
		TierCache writer = this.nodes.node();
		TierCache reader = this.nodes.node();
		assertThat(this.nodes.tier(1).view().details()).containsEntry("clientTracking", "off");
		writer.put("k", "old");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		plainSet("test:books::{k}", "new");
		// A tiercache write after it, whose invalidation the reader hears, bounds the
		// wait.
		writer.put("other", "x");
		assertThat(reader.get("other", String.class)).isEqualTo("x");
		assertThat(reader.get("k", String.class)).isEqualTo("old");
		assertThat(text(this.nodes.execute("CLIENT", "LIST"))).doesNotContain("flags=t");
	}

	@Test
	void timeToIdleIsRefusedWithTracking() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RedisTierSettings("test:", Duration.ofSeconds(10), Duration.ofMillis(500),
					Duration.ofMillis(100), true, 2, Duration.ofMillis(200), ClientTracking.AUTO))
			.withMessageContaining("time-to-idle");
	}

	private void awaitActive(int node) {
		await().atMost(BOUND)
			.until(() -> "active".equals(this.nodes.tier(node).view().details().get("clientTracking")));
	}

	private void plainSet(String name, String value, String... options) {
		plainSetOfKey(name, name.substring(name.indexOf('{') + 1, name.lastIndexOf('}')), value, options);
	}

	private void plainSetOfKey(String name, String key, String value, String... options) {
		try (RedisConnection connection = this.nodes.connection()) {
			byte[][] args = new byte[2 + options.length][];
			args[0] = RedisNodes.utf8(name);
			args[1] = stamped(key, value);
			for (int i = 0; i < options.length; i++) {
				args[2 + i] = RedisNodes.utf8(options[i]);
			}
			connection.execute("SET", args);
		}
	}

	/**
	 * Return {@code value} as tiercache stores it for the String key {@code key}: another
	 * client that writes an entry tiercache reads must stamp it ({@link KeyStamps}).
	 */
	private byte[] stamped(String key, String value) {
		return KeyStamps.stamped(new KeyStamps(this.codec).of(key), this.codec.encode(value));
	}

	/**
	 * Return the id of the connection of {@code user} that has tracking on.
	 */
	private String trackingClientOf(String user) {
		for (String line : text(this.nodes.execute("CLIENT", "LIST")).split("\n")) {
			if (line.contains(" user=" + user + " ") && line.matches(".* flags=\\S*t\\S* .*")) {
				return line.substring(3, line.indexOf(' '));
			}
		}
		throw new AssertionError("no tracking connection of " + user);
	}

	private void killClient(String id) throws Exception {
		try (RedisConnection connection = this.nodes.connection()) {
			@SuppressWarnings("unchecked")
			RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			assertThat(commands.clientKill(KillArgs.Builder.id(Long.parseLong(id))).get(5, TimeUnit.SECONDS)).isOne();
		}
	}

	private static String text(Object reply) {
		return (reply instanceof byte[] bytes) ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
				: String.valueOf(reply);
	}

	private void plainDel(String key) {
		this.nodes.execute("DEL", key);
	}

}
