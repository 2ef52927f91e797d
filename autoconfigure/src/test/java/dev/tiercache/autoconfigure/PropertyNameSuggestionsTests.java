package dev.tiercache.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nearest valid name for a misspelt {@code tiercache.*} property.
 */
class PropertyNameSuggestionsTests {

	@ParameterizedTest
	@CsvSource({ "tiercache.caches.books.tll, tiercache.caches.books.ttl", "tiercache.moed, tiercache.mode",
			"tiercache.cluster.bind-adress, tiercache.cluster.bind-address",
			"tiercache.serialization.codek, tiercache.serialization.codec",
			"tiercache.caches.my-books.maximum-wieght, tiercache.caches.my-books.maximum-weight",
			"tiercache.defaults.hot-ration, tiercache.defaults.hot-ratio",
			"tiercache.redis.key-prefx, tiercache.redis.key-prefix", "tiercache.clustr.port, tiercache.cluster.port",
			"tiercache.remote-thread, tiercache.remote-threads" })
	void aMisspeltNameGetsTheNearestValidOne(String misspelt, String valid) {
		assertThat(PropertyNameSuggestions.suggest(misspelt)).isEqualTo(valid);
	}

	@Test
	void nothingIsSuggestedWhenNothingIsNear() {
		assertThat(PropertyNameSuggestions.suggest("tiercache.caches.books.something-else-entirely")).isNull();
		assertThat(PropertyNameSuggestions.suggest("spring.cache.type")).isNull();
	}

	@Test
	void aValidNameNeedsNoSuggestion() {
		assertThat(PropertyNameSuggestions.suggest("tiercache.caches.books.ttl")).isNull();
	}

	@Test
	void aSwapOfNeighbouringLettersCountsOnce() {
		assertThat(PropertyNameSuggestions.distance("moed", "mode")).isEqualTo(1);
		assertThat(PropertyNameSuggestions.distance("hot-ration", "hot-ratio")).isEqualTo(1);
		assertThat(PropertyNameSuggestions.distance("tll", "ttl")).isEqualTo(1);
	}

}
