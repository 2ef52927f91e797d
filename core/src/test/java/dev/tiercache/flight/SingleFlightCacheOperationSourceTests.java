package dev.tiercache.flight;

import java.lang.reflect.Method;
import java.util.Collection;

import org.junit.jupiter.api.Test;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.interceptor.CacheEvictOperation;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CacheableOperation;

import static org.assertj.core.api.Assertions.assertThat;

class SingleFlightCacheOperationSourceTests {

	private final SingleFlightCacheOperationSource source = new SingleFlightCacheOperationSource();

	@Test
	void plainCacheableBecomesSyncAndKeepsItsSettings() throws Exception {
		CacheableOperation operation = single("plain");
		assertThat(operation.isSync()).isTrue();
		assertThat(operation.getCacheNames()).containsExactly("books");
		assertThat(operation.getKey()).isEqualTo("#id");
		assertThat(operation.getCondition()).isEqualTo("#id > 0");
	}

	@Test
	void cacheableWithUnlessIsLeftAlone() throws Exception {
		assertThat(single("withUnless").isSync()).isFalse();
	}

	@Test
	void cacheableWithTwoCachesIsLeftAlone() throws Exception {
		assertThat(single("twoCaches").isSync()).isFalse();
	}

	@Test
	void methodsWithSeveralOperationsAreLeftAlone() throws Exception {
		Collection<CacheOperation> operations = operations("cacheableAndEvict");
		assertThat(operations).hasSize(2);
		assertThat(operations).filteredOn(CacheableOperation.class::isInstance)
			.allSatisfy((operation) -> assertThat(((CacheableOperation) operation).isSync()).isFalse());
		assertThat(operations).hasAtLeastOneElementOfType(CacheEvictOperation.class);
	}

	@Test
	void conversionIsMadeOncePerMethod() throws Exception {
		assertThat(operations("plain")).isSameAs(operations("plain"));
	}

	private CacheableOperation single(String method) throws Exception {
		Collection<CacheOperation> operations = operations(method);
		assertThat(operations).hasSize(1);
		return (CacheableOperation) operations.iterator().next();
	}

	private Collection<CacheOperation> operations(String name) throws Exception {
		Method method = Service.class.getMethod(name, long.class);
		return this.source.getCacheOperations(method, Service.class);
	}

	public static class Service {

		@Cacheable(cacheNames = "books", key = "#id", condition = "#id > 0")
		public String plain(long id) {
			return "";
		}

		@Cacheable(cacheNames = "books", unless = "#result == null")
		public String withUnless(long id) {
			return "";
		}

		@Cacheable(cacheNames = { "books", "authors" })
		public String twoCaches(long id) {
			return "";
		}

		@Cacheable("books")
		@CacheEvict("authors")
		public String cacheableAndEvict(long id) {
			return "";
		}

	}

}
