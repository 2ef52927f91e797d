package dev.tiercache.codec;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.SliceImpl;
import org.springframework.data.domain.Sort;
import org.springframework.data.domain.Sort.Order;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Data's paging types, the usual keys and values of a cached repository query,
 * cross the network with no serialization settings.
 */
class SpringDataValuesTests {

	private final ValueCodec codec = ValueCodec.java(AllowList.of(List.of()));

	@Test
	void pageRequestAndSortKeysRoundTrip() {
		Sort sort = Sort.by(Order.desc("title").ignoreCase(), Order.asc("id").nullsLast());
		for (Object key : List.of(PageRequest.of(2, 20, sort), PageRequest.ofSize(5), sort, Sort.unsorted())) {
			assertThat(this.codec.decode(this.codec.encode(key))).isEqualTo(key);
		}
	}

	@Test
	void pagesAndSlicesRoundTrip() {
		Page<String> page = new PageImpl<>(List.of("Dune", "Emma"), PageRequest.of(1, 2, Sort.by("title")), 42);
		SliceImpl<String> slice = new SliceImpl<>(List.of("Dune"), PageRequest.of(0, 1), true);
		assertThat(this.codec.decode(this.codec.encode(page))).isEqualTo(page);
		assertThat(this.codec.decode(this.codec.encode(slice))).isEqualTo(slice);
	}

	@Test
	void unpagedPagesRoundTripAlthoughUnpagedIsNotSerializable() {
		Page<String> all = new PageImpl<>(List.of("Dune", "Emma"));
		Page<String> sorted = new PageImpl<>(List.of("Dune"), Pageable.unpaged(Sort.by("title")), 1);
		for (Page<String> page : List.<Page<String>>of(all, sorted, Page.empty())) {
			Page<?> decoded = (Page<?>) this.codec.decode(this.codec.encode(page));
			assertThat(decoded).isEqualTo(page);
			assertThat(decoded.getPageable().isUnpaged()).isTrue();
		}
	}

	@Test
	void onlyTheValueTypesOfSpringDataAreAllowed() {
		AllowList allowList = AllowList.of(List.of());
		assertThat(allowList.allows(Sort.Direction.class)).isTrue();
		assertThat(allowList.allows("org.springframework.data.domain.Range")).isFalse();
		assertThat(allowList.allows("org.springframework.data.domain.Sort$TypedSort")).isFalse();
		assertThat(allowList.allows("org.springframework.data.redis.core.RedisTemplate")).isFalse();
		assertThat(allowList.allows("org.springframework.cache.interceptor.SimpleKeyGenerator")).isFalse();
	}

}
