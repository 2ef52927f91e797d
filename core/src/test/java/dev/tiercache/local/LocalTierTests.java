package dev.tiercache.local;

import java.time.Duration;

import dev.tiercache.FakeTicker;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalTierTests {

	private final TierCacheManager manager = TierCacheManager.builder()
		.cacheDefaults(TierCacheConfiguration.defaultCacheConfig().withMaximumSize(100))
		.build();

	@AfterEach
	void close() {
		this.manager.close();
	}

	@Test
	void readsAreQuietUntilMainIsHalfFull() {
		TierCache cache = this.manager.getCache("books");
		for (int i = 0; i < 49; i++) {
			cache.put(i, "v" + i);
		}
		assertThat(cache.getLocalTier().mainRecordsReads()).isFalse();
		cache.put(49, "v49");
		assertThat(cache.getLocalTier().mainRecordsReads()).isTrue();
	}

	@Test
	void aQuietReadStillHonoursExpiry() {
		FakeTicker ticker = new FakeTicker();
		TierCacheManager manual = TierCacheManager.builder()
			.cacheDefaults(TierCacheConfiguration.defaultCacheConfig().withTtl(Duration.ofSeconds(10)).withTtlJitter(0))
			.ticker(ticker)
			.build();
		TierCache cache = manual.getCache("books");
		cache.put(1, "one");
		assertThat(cache.getLocalTier().mainRecordsReads()).isFalse();
		ticker.advance(Duration.ofSeconds(9));
		assertThat(cache.get(1)).isNotNull();
		ticker.advance(Duration.ofSeconds(1));
		assertThat(cache.get(1)).isNull();
		manual.close();
	}

	@Test
	void onceHalfFullAFrequentlyReadEntryOutlivesAFloodOfOneOffKeys() {
		TierCache cache = this.manager.getCache("books");
		for (int i = 0; i < 60; i++) {
			cache.put(i, "v" + i);
		}
		for (int round = 0; round < 20; round++) {
			assertThat(cache.get(0)).isNotNull();
		}
		for (int i = 1000; i < 3000; i++) {
			cache.put(i, "v" + i);
			cache.get(0);
		}
		assertThat(cache.getLocalTier().mainContains(0)).isTrue();
	}

}
