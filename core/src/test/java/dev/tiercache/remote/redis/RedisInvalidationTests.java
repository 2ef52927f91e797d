package dev.tiercache.remote.redis;

import dev.tiercache.TierCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What reaches the hot copies of the other nodes when a node writes: invalidations by the
 * key's Redis name, whatever the Java type of the key.
 */
class RedisInvalidationTests {

	private final RedisNodes nodes = new RedisNodes();

	@AfterEach
	void stop() {
		this.nodes.close();
	}

	@Test
	void evictionByAKeyOfAnotherTypeDropsTheHotCopiesOfEveryNode() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		TierCache admin = this.nodes.node();
		first.put(150L, "book");
		assertThat(second.get(150L, String.class)).isEqualTo("book");
		assertThat(admin.get(150L, String.class)).isEqualTo("book");
		// As the actuator endpoint does: the key arrives as text.
		admin.evict("150");
		assertThat(second.get(150L)).as("hot copy of 150L on another node").isNull();
		assertThat(admin.get(150L)).as("hot copy of 150L on the evicting node").isNull();
	}

	@Test
	void writeByAKeyOfAnotherTypeReplacesTheHotCopiesOfEveryNode() {
		TierCache first = this.nodes.node();
		TierCache second = this.nodes.node();
		first.put(150L, "old");
		assertThat(second.get(150L, String.class)).isEqualTo("old");
		first.put("150", "new");
		assertThat(second.get(150L, String.class)).isEqualTo("new");
	}

}
