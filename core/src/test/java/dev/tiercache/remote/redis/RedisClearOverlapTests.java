package dev.tiercache.remote.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.tiercache.TierCache;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code clear()} that overlaps a load under a lease, in the order that once brought a
 * cleared value back: the clear's {@code SCAN} finds the lease and passes the key before
 * the load stores its value, so the value survives the clear; the loader's node sees the
 * clear count move and removes it, but another node read it in between, after the clear's
 * invalidation had reached it, and kept it as a hot copy. Found by
 * {@link RedisHistoryTests} (seed 2885338476990442957: a {@code GET} returned, 1.5 ms
 * after a clear completed, a value loaded before it). The steps are put in that order by
 * holding {@code UNLINK}s ({@link GatedUnlinks}).
 */
class RedisClearOverlapTests {

	private final RedisNodes redis = new RedisNodes();

	@AfterEach
	void close() {
		this.redis.close();
	}

	@Test
	void valueStoredByALoadThatAClearOvertookComesBackOnNoNode() throws Exception {
		GatedUnlinks[] gates = new GatedUnlinks[2];
		TierCache loader = this.redis.node(RedisNodes.BOOKS, (connections) -> {
			gates[0] = new GatedUnlinks(connections);
			return RedisRemoteTier.start(gates[0].connectionFactory(), ValueCodec.java(AllowList.of(List.of())),
					RedisNodes.SETTINGS, () -> "loader");
		});
		TierCache clearer = this.redis.node(RedisNodes.BOOKS, (connections) -> {
			gates[1] = new GatedUnlinks(connections);
			return RedisRemoteTier.start(gates[1].connectionFactory(), ValueCodec.java(AllowList.of(List.of())),
					RedisNodes.SETTINGS, () -> "clearer");
		});
		TierCache reader = this.redis.node();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch loaded = new CountDownLatch(1);
		// 1. The loader's node takes the lease and runs the loader, which waits.
		CompletableFuture<Object> load = CompletableFuture.supplyAsync(() -> loader.get("key", () -> {
			loading.countDown();
			loaded.await(10, TimeUnit.SECONDS);
			return "loaded before the clear";
		}));
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		// 2. The clear counts itself and scans (finding only the lease); its UNLINK
		// waits.
		gates[1].hold();
		CompletableFuture<Void> clear = CompletableFuture.runAsync(clearer::clear);
		gates[1].awaitHeld();
		// 3. The load stores its value (the lease still stands), sees the clear count
		// move, and its UNLINK of the value waits.
		gates[0].hold();
		loaded.countDown();
		gates[0].awaitHeld();
		// 4. The clear completes: every node dropped its hot copies.
		gates[1].release();
		clear.get(10, TimeUnit.SECONDS);
		// 5. Another node reads the value that survived the clear, and keeps a copy.
		assertThat(reader.get("key")).isNotNull();
		// 6. The loader's node removes the value.
		gates[0].release();
		assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("loaded before the clear");
		assertThat(reader.get("key")).as("a value loaded before a completed clear").isNull();
		assertThat(clearer.get("key")).isNull();
	}

}
