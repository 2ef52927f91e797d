package dev.tiercache.remote.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.tiercache.TierCache;
import dev.tiercache.codec.AllowList;
import dev.tiercache.codec.ValueCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code clear()} that overlaps a load under a lease, in the order that once brought a
 * cleared value back: the clear's {@code SCAN} finds the lease and passes the key before
 * the load stores its value, so a single pass leaves the value behind. The loader's node
 * sees the clear count move and removes it, but too late: another node read it in
 * between, after the clear's invalidation had reached it, and kept it as a hot copy
 * ({@link RedisHistoryTests}, seed 2885338476990442957: a {@code GET} returned, 1.5 ms
 * after a clear completed, a value loaded before it), and the clearing node itself read
 * it right after its clear returned (seed 8988295455820790192: a {@code putIfAbsent}
 * returned it 0.0 ms after). A second pass removes it before the clear returns. The steps
 * are put in that order by holding {@code UNLINK}s ({@link GatedUnlinks}).
 */
class RedisClearOverlapTests {

	private final RedisNodes redis = new RedisNodes();

	private final List<GatedUnlinks> gates = new ArrayList<>();

	@AfterEach
	void close() {
		this.redis.close();
		this.gates.forEach((gate) -> gate.connectionFactory().destroy());
	}

	@Test
	void valueStoredByALoadThatAClearOvertookComesBackOnNoNode() throws Exception {
		TierCache loader = gatedNode("loader");
		TierCache clearer = gatedNode("clearer");
		TierCache reader = this.redis.node();
		GatedUnlinks loaderUnlinks = this.gates.get(0);
		GatedUnlinks clearerUnlinks = this.gates.get(1);
		// Every node subscribed and heard the others: a node that starts misses what is
		// published before its subscription is in place, and clears its hot tier then.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> IntStream.range(0, 3)
				.mapToObj(this.redis::tier)
				.allMatch((tier) -> !tier.view().degraded() && tier.view().members().size() == 3));
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
		// 5. Once the clear has returned, no node reads the value, though its loader's
		// node has not yet removed it.
		assertThat(reader.get("key")).as("read on another node after the clear").isNull();
		assertThat(clearer.get("key")).as("read on the clearing node after the clear").isNull();
		// 6. The loader's node's removal finds nothing left.
		loaderUnlinks.release();
		assertThat(load.get(10, TimeUnit.SECONDS)).isEqualTo("loaded before the clear");
		assertThat(reader.get("key")).as("a value loaded before a completed clear").isNull();
		assertThat(clearer.get("key")).isNull();
	}

	/**
	 * A node whose {@code UNLINK}s the test can hold, through the gate added to
	 * {@link #gates}.
	 */
	private TierCache gatedNode(String name) {
		return this.redis.node(RedisNodes.BOOKS, (connections) -> {
			GatedUnlinks gate = new GatedUnlinks((LettuceConnectionFactory) connections);
			this.gates.add(gate);
			return RedisRemoteTier.start(gate.connectionFactory(), ValueCodec.java(AllowList.of(List.of())),
					RedisNodes.SETTINGS, () -> name);
		});
	}

}
