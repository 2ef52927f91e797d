package dev.tiercache.remote.redis;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The names of entries in Redis.
 */
class RedisKeysTests {

	private final RedisKeys keys = new RedisKeys("p:");

	@Test
	void ordinaryNamesAreUsedAsTheyAre() {
		assertThat(this.keys.valueKey("books", 42L)).isEqualTo("p:books::{42}");
		assertThat(this.keys.valueKey("books", "SimpleKey [a,b]")).isEqualTo("p:books::{SimpleKey [a,b]}");
	}

	@Test
	void everyKeyHasANonEmptyHashTagWithoutBraces() {
		for (String name : List.of("", "}", "{", "}x", "{}", "a{b}", "\\", "\\0", "\\[")) {
			String key = this.keys.valueKey("bo{o}ks", name);
			String tag = key.substring(key.indexOf('{') + 1, key.indexOf('}'));
			assertThat(tag).as("tag of '%s'", name).isNotEmpty().isEqualTo(RedisKeys.escape(name));
			assertThat(key).as("key of '%s'", name).endsWith("{" + tag + "}");
		}
	}

	@Test
	void distinctNamesHaveDistinctKeys() {
		List<String> names = List.of("", "\\0", "\\\\0", "{", "\\[", "\\\\[", "}", "\\]", "[", "]", "\\", "\\\\");
		Set<String> seen = new HashSet<>();
		for (String name : names) {
			assertThat(seen.add(this.keys.valueKey("books", name))).as("key of '%s'", name).isTrue();
		}
	}

}
