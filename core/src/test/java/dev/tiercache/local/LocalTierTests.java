package dev.tiercache.local;

import java.time.Duration;
import java.util.SplittableRandom;

import dev.tiercache.FakeTicker;
import dev.tiercache.TierCache;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.stats.StatsCounter;
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
	void entriesAreDueForRefreshAfterRefreshAfterAndClaimedOnceUntilTheRetryInterval() {
		FakeTicker ticker = new FakeTicker();
		LocalTier tier = refreshingTier(ticker, 0);
		CacheEntry entry = tier.newEntry("v");
		tier.putMain("k", entry);
		ticker.advance(Duration.ofMinutes(5).minusNanos(1));
		assertThat(tier.claimRefresh(entry)).isFalse();
		ticker.advance(Duration.ofNanos(1));
		assertThat(tier.claimRefresh(entry)).isTrue();
		// Claimed: the next hits leave it to the first, for a second...
		assertThat(tier.claimRefresh(entry)).isFalse();
		ticker.advance(Duration.ofMillis(999));
		assertThat(tier.claimRefresh(entry)).isFalse();
		// ...after which a refresh that failed is tried again.
		ticker.advance(Duration.ofMillis(1));
		assertThat(tier.claimRefresh(entry)).isTrue();
	}

	@Test
	void withJitterAnEntryIsDueAtTheSamePointOfItsShorterLife() {
		FakeTicker ticker = new FakeTicker();
		LocalTier tier = refreshingTier(ticker, 0.1);
		// (ttl - refresh-after) * (1 - jitter): due when 4.5 minutes are left.
		assertThat(tier.refreshWindowNanos()).isEqualTo(Duration.ofSeconds(270).toNanos());
		CacheEntry shortest = new CacheEntry("v", Duration.ofMinutes(9).toNanos());
		tier.putMain("k", shortest);
		ticker.advance(Duration.ofSeconds(269));
		assertThat(tier.claimRefresh(shortest)).isFalse();
		ticker.advance(Duration.ofSeconds(1));
		assertThat(tier.claimRefresh(shortest)).isTrue();
	}

	@Test
	void hotCopyIsDueWhenItsStoredEntryIsWhateverHotTtlCutsOff() {
		FakeTicker ticker = new FakeTicker();
		LocalTier tier = refreshingTier(ticker, 0);
		// Fetched with 6 minutes left of 10, kept in hot for at most 30 seconds.
		CacheEntry hot = tier.newHotEntry("v", Duration.ofMinutes(6).toNanos());
		assertThat(hot.ttlNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
		ticker.advance(Duration.ofMinutes(1).minusNanos(1));
		assertThat(tier.claimRefresh(hot)).isFalse();
		ticker.advance(Duration.ofNanos(1));
		assertThat(tier.claimRefresh(hot)).isTrue();
		// Fetched already due.
		assertThat(tier.claimRefresh(tier.newHotEntry("v", Duration.ofMinutes(4).toNanos()))).isTrue();
	}

	@Test
	void cachedNullsAndCachesWithoutRefreshAfterAreNeverDue() {
		FakeTicker ticker = new FakeTicker();
		LocalTier tier = refreshingTier(ticker, 0);
		CacheEntry missing = tier.newEntry(null);
		tier.putMain("missing", missing);
		LocalTier plain = new LocalTier(TierCacheConfiguration.defaultCacheConfig(), true, ticker,
				new SplittableRandom(1), Runnable::run, StatsCounter.disabled());
		CacheEntry entry = plain.newEntry("v");
		plain.putMain("k", entry);
		ticker.advance(Duration.ofMinutes(9));
		assertThat(tier.claimRefresh(missing)).isFalse();
		assertThat(plain.refreshes()).isFalse();
		assertThat(plain.claimRefresh(entry)).isFalse();
	}

	private static LocalTier refreshingTier(FakeTicker ticker, double jitter) {
		TierCacheConfiguration config = TierCacheConfiguration.defaultCacheConfig()
			.withTtl(Duration.ofMinutes(10))
			.withTtlJitter(jitter)
			.withNullTtl(Duration.ofMinutes(10))
			.withRefreshAfter(Duration.ofMinutes(5));
		return new LocalTier(config, true, ticker, new SplittableRandom(1), Runnable::run, StatsCounter.disabled());
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
