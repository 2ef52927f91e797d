package dev.tiercache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.remote.peers.PeersCluster;
import dev.tiercache.remote.peers.PeersRemoteTier;
import dev.tiercache.remote.redis.RedisRemoteTier;
import dev.tiercache.remote.redis.RedisTierSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A read on the writer while its write is in flight may fetch the old value from the
 * store; once the write returns, the writer must not keep that value in hot. Each test
 * holds the write after the writer dropped its own copy and before the store applied the
 * write (a {@link GatedCodec} stops the writer when it encodes), reads on the writer
 * meanwhile, then lets the write finish.
 */
class WriterReadsItsOwnWriteTests {

	private final List<AutoCloseable> closeables = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
	}

	@Test
	void peersPutInFlightLeavesNoOldCopyOnTheWriter() throws Exception {
		GatedCodec codec = new GatedCodec();
		List<TierCache> caches = peers(codec);
		Object key = keyOwnedBy(caches, 1);
		caches.get(1).put(key, "old");
		CompletableFuture<Void> write = holdWrite(codec, key, "new", () -> caches.get(0).put(key, "new"));
		assertThat(caches.get(0).get(key).get()).isEqualTo("old");
		codec.open();
		write.get(10, TimeUnit.SECONDS);
		assertThat(caches.get(0).get(key).get()).isEqualTo("new");
	}

	@Test
	void peersEvictionInFlightLeavesNoOldCopyOnTheWriter() throws Exception {
		GatedCodec codec = new GatedCodec();
		List<TierCache> caches = peers(codec);
		Object key = keyOwnedBy(caches, 1);
		caches.get(1).put(key, "old");
		CompletableFuture<Void> write = holdWrite(codec, key, key, () -> caches.get(0).evict(key));
		assertThat(caches.get(0).get(key).get()).isEqualTo("old");
		codec.open();
		write.get(10, TimeUnit.SECONDS);
		assertThat(caches.get(0).get(key)).isNull();
	}

	@Test
	void redisPutInFlightLeavesNoOldCopyOnTheWriter() throws Exception {
		GatedCodec codec = new GatedCodec();
		LettuceConnectionFactory connections = TestRedis.shared().connectionFactory();
		this.closeables.add(connections::destroy);
		RedisTierSettings settings = new RedisTierSettings("own-write:", Duration.ofSeconds(10), Duration.ofMillis(250),
				Duration.ofMillis(200), false, 3, Duration.ofMillis(200));
		TierCache cache = cache(RedisRemoteTier.start(connections, codec, settings, () -> "writer"));
		cache.put("key", "old");
		cache.getLocalTier().removeHot("key");
		CompletableFuture<Void> write = holdWrite(codec, "key", "new", () -> cache.put("key", "new"));
		assertThat(cache.get("key").get()).isEqualTo("old");
		codec.open();
		write.get(10, TimeUnit.SECONDS);
		assertThat(cache.get("key").get()).isEqualTo("new");
	}

	/**
	 * Start {@code write} on a thread of its own and return once it is held at the gate.
	 */
	private static CompletableFuture<Void> holdWrite(GatedCodec codec, Object key, Object gated, Runnable write)
			throws InterruptedException {
		CompletableFuture<Void> done = new CompletableFuture<>();
		Thread writer = new Thread(() -> {
			try {
				write.run();
				done.complete(null);
			}
			catch (Throwable ex) {
				done.completeExceptionally(ex);
			}
		}, "writer-" + key);
		codec.arm(writer, gated);
		writer.start();
		codec.awaitReached();
		return done;
	}

	private List<TierCache> peers(GatedCodec writerCodec) {
		int basePort = PeersCluster.freePortRange(5);
		List<PeersRemoteTier> members = new ArrayList<>();
		for (int i = 1; i <= 2; i++) {
			ValueCodec codec = (i == 1) ? writerCodec : ValueCodec.java(AllowList.of(List.of("dev.tiercache")));
			PeersRemoteTier member = PeersRemoteTier.create(PeersCluster.settings("own-write", basePort, i, 2), codec);
			member.start();
			members.add(member);
		}
		PeersCluster.awaitMembers(members, 2);
		List<TierCache> caches = new ArrayList<>();
		members.forEach((member) -> caches.add(cache(member)));
		return caches;
	}

	private TierCache cache(RemoteTier remote) {
		TierCacheManager manager = TierCacheManager.builder()
			.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig())
			.remoteTier(remote)
			.build();
		this.closeables.add(manager);
		return manager.getCache("books");
	}

	private static Object keyOwnedBy(List<TierCache> caches, int index) {
		RemoteTier owner = caches.get(index).remoteTier();
		for (int i = 0;; i++) {
			if (owner.ownsLocally("books", "key-" + i)) {
				return "key-" + i;
			}
		}
	}

}
