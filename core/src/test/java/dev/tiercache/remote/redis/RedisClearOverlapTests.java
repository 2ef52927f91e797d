package dev.tiercache.remote.redis;

import java.util.ArrayList;
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
		List<GatedUnlinks> gates = new ArrayList<>();
		TierCache loader = gatedNode("loader", gates);
		TierCache clearer = gatedNode("clearer", gates);
		TierCache reader = this.redis.node();
		GatedUnlinks loaderUnlinks = gates.get(0);
		GatedUnlinks clearerUnlinks = gates.get(1);
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
		clearerUnlinks.hold();
		CompletableFuture<Void> clear = CompletableFuture.runAsync(clearer::clear);
		clearerUnlinks.awaitHeld();
		// 3. The load stores its value (the lease still stands), sees the clear count
		// move, and its UNLINK of the value waits.
		loaderUnlinks.hold();
		loaded.countDown();
		loaderUnlinks.awaitHeld();
		// 4. The clear completes: every node dropped its hot copies.
		clearerUnlinks.release();
		clear.get(10, TimeUnit.SECONDS);
		// 5. Another node reads the value that survived the clear, and keeps a copy.
		assertThat(reader.get("key")).isNotNull();
		// 6. The loader's node removes the value.
		loaderUnlinks.release();
		assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("loaded before the clear");
		assertThat(reader.get("key")).as("a value loaded before a completed clear").isNull();
		assertThat(clearer.get("key")).isNull();
	}

	/**
	 * A node whose {@code UNLINK}s the test can hold, through the gate added to
	 * {@code gates}.
	 */
	private TierCache gatedNode(String name, List<GatedUnlinks> gates) {
		return this.redis.node(RedisNodes.BOOKS, (connections) -> {
			GatedUnlinks gate = new GatedUnlinks(connections);
			gates.add(gate);
			return RedisRemoteTier.start(gate.connectionFactory(), ValueCodec.java(AllowList.of(List.of())),
					RedisNodes.SETTINGS, () -> name);
		});
	}

}
