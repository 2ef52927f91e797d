package dev.tiercache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class TierCacheManagerTests {

	@Test
	void configuredCachesExistFromTheStartWithTheirOwnSettings() {
		TierCacheConfiguration books = TierCacheConfiguration.defaultCacheConfig().withTtl(Duration.ofHours(1));
		TierCacheManager manager = TierCacheManager.builder().withCacheConfiguration("books", books).build();
		assertThat(manager.getCacheNames()).containsExactly("books");
		assertThat(manager.getCache("books").getConfiguration()).isEqualTo(books);
	}

	@Test
	void unknownNamesAreCreatedOnFirstUseWithTheDefaults() {
		TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig().withMaximumSize(5);
		TierCacheManager manager = TierCacheManager.builder().cacheDefaults(defaults).build();
		TierCache authors = manager.getCache("authors");
		assertThat(authors.getConfiguration()).isEqualTo(defaults);
		assertThat(manager.getCache("authors")).isSameAs(authors);
		assertThat(manager.getCacheNames()).containsExactly("authors");
	}

	@Test
	void unknownNameFailsWithTheConfiguredCachesWhenDynamicCreationIsOff() {
		TierCacheManager manager = TierCacheManager.builder()
			.withInitialCacheNames(Set.of("books", "authors"))
			.dynamic(false)
			.build();
		assertThatIllegalArgumentException().isThrownBy(() -> manager.getCache("bokos"))
			.withMessageContaining("'bokos'")
			.withMessageContaining("[authors, books]")
			.withMessageContaining("tiercache.dynamic=true");
	}

	@Test
	void buildFailsWhenDynamicCreationIsOffAndNoCacheIsConfigured() {
		assertThatIllegalStateException().isThrownBy(() -> TierCacheManager.builder().dynamic(false).build())
			.withMessageContaining("tiercache.caches");
	}

	@Test
	void creationListenersSeeCachesCreatedOnFirstUse() {
		TierCacheManager manager = TierCacheManager.builder().withInitialCacheNames(Set.of("books")).build();
		List<String> created = new ArrayList<>();
		manager.addCreationListener((cache) -> created.add(cache.getName()));
		manager.getCache("books");
		manager.getCache("authors");
		manager.getCache("authors");
		assertThat(created).containsExactly("authors");
	}

	@Test
	void invalidSettingsAreRejectedWithWhatIsAllowed() {
		TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig();
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withTtl(Duration.ofSeconds(-1)))
			.withMessageContaining("ttl must not be negative");
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withTtlJitter(1.5))
			.withMessageContaining("ttl-jitter must be a fraction");
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withNullTtl(Duration.ZERO))
			.withMessageContaining("allow-null-values");
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withMaximumSize(0))
			.withMessageContaining("maximum-size");
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withHotRatio(1))
			.withMessageContaining("hot-ratio");
		assertThatIllegalArgumentException().isThrownBy(() -> defaults.withRefreshAfter(Duration.ofSeconds(-1)))
			.withMessageContaining("refresh-after must not be negative");
	}

	@Test
	void refreshAfterIsOffByDefaultAndMayBeSetBeforeOrAfterTtl() {
		TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig();
		assertThat(defaults.getRefreshAfter()).isZero();
		assertThat(defaults.withRefreshAfter(Duration.ZERO)).isEqualTo(defaults);
		TierCacheConfiguration refreshing = defaults.withRefreshAfter(Duration.ofMinutes(30))
			.withTtl(Duration.ofHours(1));
		assertThat(refreshing.validate()).isSameAs(refreshing);
		assertThat(refreshing).isNotEqualTo(refreshing.withRefreshAfter(Duration.ofMinutes(20)));
	}

	@Test
	void buildFailsWhenRefreshAfterIsNotShorterThanTtl() {
		TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig().withTtl(Duration.ofMinutes(10));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TierCacheManager.builder()
				.withCacheConfiguration("books", defaults.withRefreshAfter(Duration.ofMinutes(10)))
				.build())
			.withMessageContaining("Cache 'books'")
			.withMessageContaining("refresh-after (PT10M) must be shorter than ttl (PT10M)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TierCacheManager.builder()
				.cacheDefaults(defaults.withTtl(Duration.ZERO).withRefreshAfter(Duration.ofMinutes(1)))
				.build())
			.withMessageContaining("default cache configuration")
			.withMessageContaining("ttl is 0 (forever)");
	}

	@Test
	void ttlOfZeroMeansEntriesNeverExpire() {
		FakeTicker ticker = new FakeTicker();
		TierCacheManager manager = TierCacheManager.builder()
			.cacheDefaults(TierCacheConfiguration.defaultCacheConfig().withTtl(Duration.ZERO))
			.ticker(ticker)
			.build();
		TierCache cache = manager.getCache("forever");
		cache.put("k", "v");
		ticker.advance(Duration.ofDays(3650));
		assertThat(cache.get("k", String.class)).isEqualTo("v");
	}

	@Test
	void sizeBoundEvictsAndCountsEvictions() {
		TierCacheManager manager = TierCacheManager.builder()
			.cacheDefaults(TierCacheConfiguration.defaultCacheConfig().withMaximumSize(10))
			.executor(Runnable::run)
			.build();
		TierCache cache = manager.getCache("small");
		for (int i = 0; i < 100; i++) {
			cache.put(i, "v" + i);
		}
		cache.getNativeCache().cleanUp();
		assertThat(cache.getLocalTier().mainSize()).isLessThanOrEqualTo(10);
		assertThat(cache.getStats().count(dev.tiercache.stats.Counter.EVICTIONS)).isGreaterThanOrEqualTo(90);
	}

	@Test
	void maintenanceRunsOnTheCallerByDefault() {
		TierCacheManager manager = TierCacheManager.builder()
			.cacheDefaults(TierCacheConfiguration.defaultCacheConfig().withMaximumSize(10))
			.build();
		TierCache cache = manager.getCache("small");
		for (int i = 0; i < 11; i++) {
			cache.put(i, "v" + i);
		}
		assertThat(cache.getLocalTier().mainSize()).isEqualTo(10);
		assertThat(cache.getStats().count(dev.tiercache.stats.Counter.EVICTIONS)).isEqualTo(1);
		manager.close();
	}

	@Test
	void weightBoundKeepsTheEstimatedBytesUnderTheBudget() {
		TierCacheManager manager = TierCacheManager.builder()
			.cacheDefaults(TierCacheConfiguration.defaultCacheConfig().withMaximumWeight(100_000))
			.executor(Runnable::run)
			.build();
		TierCache cache = manager.getCache("weighed");
		String kilobyte = "x".repeat(512);
		for (int i = 0; i < 1000; i++) {
			cache.put(i, kilobyte + i);
		}
		cache.getNativeCache().cleanUp();
		long weight = cache.getNativeCache().policy().eviction().orElseThrow().weightedSize().orElseThrow();
		assertThat(weight).isLessThanOrEqualTo(100_000);
		assertThat(cache.getLocalTier().mainSize()).isBetween(50L, 100L);
	}

}
