package dev.tiercache.flight;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cache.annotation.AnnotationCacheOperationSource;
import org.springframework.cache.interceptor.CacheOperation;
import org.springframework.cache.interceptor.CacheableOperation;

/**
 * An {@link AnnotationCacheOperationSource} that reads every eligible {@code @Cacheable}
 * as if it said {@code sync = true}, so that concurrent misses of one key run the method
 * once instead of stampeding the backing store.
 *
 * <p>
 * Eligible means what Spring allows for {@code sync = true}: the method's only cache
 * operation is one {@code @Cacheable} with a single cache name and no {@code unless}.
 * Other methods are left exactly as declared. The conversion happens once per method,
 * when Spring first reads its annotations, and costs nothing per call.
 *
 * @author tiercache
 */
public class SingleFlightCacheOperationSource extends AnnotationCacheOperationSource {

	/**
	 * Create a source that, like the one {@code @EnableCaching} registers, also accepts
	 * non-public annotated methods on class-based proxies.
	 */
	public SingleFlightCacheOperationSource() {
		super(false);
	}

	@Override
	protected @Nullable Collection<CacheOperation> findCacheOperations(Class<?> clazz) {
		return toSync(super.findCacheOperations(clazz));
	}

	@Override
	protected @Nullable Collection<CacheOperation> findCacheOperations(Method method) {
		return toSync(super.findCacheOperations(method));
	}

	static @Nullable Collection<CacheOperation> toSync(@Nullable Collection<CacheOperation> operations) {
		if (operations == null || operations.size() != 1) {
			return operations;
		}
		CacheOperation operation = operations.iterator().next();
		if (!(operation instanceof CacheableOperation cacheable) || cacheable.isSync()
				|| cacheable.getCacheNames().size() != 1 || hasText(cacheable.getUnless())) {
			return operations;
		}
		CacheableOperation.Builder builder = new CacheableOperation.Builder();
		builder.setName(cacheable.getName());
		builder.setCacheNames(cacheable.getCacheNames().toArray(String[]::new));
		builder.setKey(cacheable.getKey());
		builder.setKeyGenerator(cacheable.getKeyGenerator());
		builder.setCacheManager(cacheable.getCacheManager());
		builder.setCacheResolver(cacheable.getCacheResolver());
		builder.setCondition(cacheable.getCondition());
		builder.setSync(true);
		return List.of(builder.build());
	}

	private static boolean hasText(@Nullable String value) {
		return value != null && !value.isBlank();
	}

}
