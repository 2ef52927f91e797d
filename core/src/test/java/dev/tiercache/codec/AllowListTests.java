package dev.tiercache.codec;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Which classes the allow-list lets through, by name, and which packages it refuses to
 * allow at all.
 */
class AllowListTests {

	@Test
	void aPackageAllowsItsClassesAndSubPackagesOnly() {
		AllowList allowList = AllowList.of(List.of("com.example.books"));
		assertThat(allowList.allows("com.example.books.Book")).isTrue();
		assertThat(allowList.allows("com.example.books.model.Author$Name")).isTrue();
		assertThat(allowList.allows("[[Lcom.example.books.Book;")).isTrue();
		assertThat(allowList.allows("com.example.booksellers.Shop")).isFalse();
		assertThat(allowList.allows("com.example.Other")).isFalse();
	}

	@Test
	void theJdkTypesArePrimitivesAreAllowedAndProxiesAreNot() {
		AllowList allowList = AllowList.of(List.of());
		assertThat(allowList.allows("java.util.ArrayList")).isTrue();
		assertThat(allowList.allows("[J")).isTrue();
		assertThat(allowList.allows("int")).isTrue();
		assertThat(allowList.allows("java.lang.reflect.Proxy")).isFalse();
		assertThat(allowList.allows("javax.management.BadAttributeValueExpException")).isFalse();
	}

	@Test
	void aSingleSegmentPackageIsRefusedSayingWhatToNameInstead() {
		for (String name : List.of("com", "dev.", "org")) {
			assertThatIllegalArgumentException().isThrownBy(() -> AllowList.of(List.of("com.example", name)))
				.withMessageContaining("'" + name + "'")
				.withMessageContaining("every class")
				.withMessageContaining("such as com.example.books");
		}
	}

	@Test
	void theDefaultPackageIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> AllowList.of(List.of(" ")))
			.withMessageContaining("empty");
	}

	@Test
	void tooBroadNamesAreTheDefaultPackageAndSingleSegments() {
		assertThat(AllowList.isTooBroad("")).isTrue();
		assertThat(AllowList.isTooBroad("com")).isTrue();
		assertThat(AllowList.isTooBroad("com.")).isTrue();
		assertThat(AllowList.isTooBroad("com.example")).isFalse();
	}

}
