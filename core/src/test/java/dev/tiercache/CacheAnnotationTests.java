package dev.tiercache;

import java.util.List;
import java.util.stream.Stream;

import dev.tiercache.CountingService.Book;
import dev.tiercache.CountingService.Isbn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.cache.Cache;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.cache.interceptor.SimpleKey;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Spring's cache annotations ({@code @Cacheable}, {@code @CachePut}, {@code @CacheEvict},
 * {@code @Caching}, class-level annotations) on a tiercache manager, in every mode: what
 * is cached under which key, and what is removed. The behaviours are those Spring
 * Framework's own annotation suites check, including their keys of {@code new Object()},
 * which no node can name: such entries stay on the node that cached them. Loads
 * ({@code sync}, futures, failures, nulls) are in {@link CacheAnnotationLoadingTests}.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("modes")
class CacheAnnotationTests {

	static Stream<CacheFixture> modes() {
		return Stream.of(new CacheFixture.Local(), new CacheFixture.Redis(), new CacheFixture.Peers());
	}

	@Parameter
	CacheFixture fixture;

	private TierCacheManager manager;

	private AnnotationConfigApplicationContext context;

	@AfterEach
	void tearDown() {
		if (this.context != null) {
			this.context.close();
		}
		this.fixture.close();
	}

	private CountingService start() {
		this.manager = this.fixture.manager(TierCacheConfiguration.defaultCacheConfig(), "main", "primary",
				"secondary");
		this.context = CachingContext.start(this.manager, CountingService.class, ClassAnnotatedService.class);
		return this.context.getBean(CountingService.class);
	}

	private Cache cache(String name) {
		return this.manager.getCache(name);
	}

	private static Object valueOf(ValueWrapper wrapper) {
		assertThat(wrapper).as("cached entry").isNotNull();
		return wrapper.get();
	}

	@Test
	void cacheableAnswersRepeatedCallsWithAnObjectKeyFromTheCache() {
		CountingService service = start();
		Object key = new Object();
		Long first = service.get(key);
		assertThat(service.get(key)).isEqualTo(first);
		assertThat(service.get(key)).isEqualTo(first);
		assertThat(service.calls()).isEqualTo(1);
		assertThat(valueOf(cache("main").get(key))).isEqualTo(first);
		assertThat(service.get(new Object())).isNotEqualTo(first);
		assertThat(service.calls()).isEqualTo(2);
	}

	@Test
	void cacheableAnswersACallWhoseKeyEqualsACachedOne() {
		CountingService service = start();
		Long single = service.get(new Isbn("isbn-1"));
		assertThat(service.get(new Isbn("isbn-1"))).isEqualTo(single);
		Long pair = service.getOfTwo(new Isbn("isbn-1"), 1);
		assertThat(service.getOfTwo(new Isbn("isbn-1"), 1)).isEqualTo(pair);
		assertThat(service.calls()).isEqualTo(2);
		assertThat(valueOf(cache("main").get(new SimpleKey(new Isbn("isbn-1"), 1)))).isEqualTo(pair);
	}

	/**
	 * Keys are told apart by {@code equals}, as Spring's own caches do, even when their
	 * string forms (the names tiercache gives keys remotely) are the same.
	 */
	@Test
	void cacheableKeepsApartKeysWhoseStringFormsAreTheSame() {
		CountingService service = start();
		assertThat(new SimpleKey("a, b", "c")).hasToString(new SimpleKey("a", "b, c").toString());
		List<Long> results = List.of(service.get(1), service.get(1L), service.get("1"), service.getOfTwo("a, b", "c"),
				service.getOfTwo("a", "b, c"));
		assertThat(results).doesNotHaveDuplicates();
		assertThat(service.calls()).isEqualTo(5);
		// In Redis, keys of one name share one entry: the last one loaded holds it, and
		// the others read as misses there, never as its value.
		ValueWrapper longOne = cache("main").get(1L);
		if (longOne != null || !(this.fixture instanceof CacheFixture.OnRedis)) {
			assertThat(valueOf(longOne)).isEqualTo(results.get(1));
		}
		assertThat(valueOf(cache("main").get("1"))).isEqualTo(results.get(2));
		assertThat(valueOf(cache("main").get(new SimpleKey("a", "b, c")))).isEqualTo(results.get(4));
	}

	@Test
	void cacheableCachesUnderANullArgument() {
		CountingService service = start();
		Long first = service.get(null);
		assertThat(service.get(null)).isEqualTo(first);
		assertThat(service.calls()).isEqualTo(1);
		assertThat(valueOf(cache("main").get(new SimpleKey((Object) null)))).isEqualTo(first);
	}

	@Test
	void keyExpressionChoosesTheArgumentsThatMakeTheKey() {
		CountingService service = start();
		Long first = service.getByFirst(5, 1);
		assertThat(service.getByFirst(5, 2)).isEqualTo(first);
		assertThat(service.getByFirst(1, 5)).isNotEqualTo(first);
		assertThat(service.calls()).isEqualTo(2);
		assertThat(valueOf(cache("main").get(5))).isEqualTo(first);
	}

	@Test
	void everyArgumentOfAVarargsCallIsPartOfTheKey() {
		CountingService service = start();
		Long first = service.getOfSeveral(1, 2, 3);
		assertThat(service.getOfSeveral(1, 2, 3)).isEqualTo(first);
		assertThat(service.getOfSeveral(1, 2)).isNotEqualTo(first);
		assertThat(service.calls()).isEqualTo(2);
	}

	@Test
	void keyCanBeTheMethodName() {
		CountingService service = start();
		Long first = service.getByMethodName(new Object());
		assertThat(service.getByMethodName(new Object())).isEqualTo(first);
		assertThat(service.calls()).isEqualTo(1);
		assertThat(valueOf(cache("main").get("getByMethodName"))).isEqualTo(first);
	}

	@Test
	void keyCanUseTheMethodCachesTargetClassAndArgumentsOfTheRootObject() {
		CountingService service = start();
		Long first = service.getByRootObject("x");
		assertThat(service.getByRootObject("x")).isEqualTo(first);
		assertThat(service.calls()).isEqualTo(1);
		String key = "getByRootObject/getByRootObject/main/CountingService/x";
		assertThat(valueOf(cache("main").get(key))).isEqualTo(first);
	}

	@Test
	void customKeyGeneratorMakesTheKey() {
		CountingService service = start();
		Long first = service.getByCustomKey("a", 1);
		assertThat(service.getByCustomKey("a", 1)).isEqualTo(first);
		assertThat(service.calls()).isEqualTo(1);
		assertThat(valueOf(cache("main").get("getByCustomKey:a:1"))).isEqualTo(first);
	}

	@Test
	void unknownKeyGeneratorFailsTheCallWithItsName() {
		CountingService service = start();
		assertThatExceptionOfType(NoSuchBeanDefinitionException.class)
			.isThrownBy(() -> service.getByUnknownKeyGenerator(new Object()))
			.withMessageContaining("noSuchKeyGenerator");
		assertThat(service.calls()).isZero();
	}

	@Test
	void conditionDecidesWhetherACallIsCached() {
		CountingService service = start();
		Long odd = service.getIfEven(3);
		assertThat(service.getIfEven(3)).isNotEqualTo(odd);
		Long even = service.getIfEven(4);
		assertThat(service.getIfEven(4)).isEqualTo(even);
		assertThat(service.calls()).isEqualTo(3);
		assertThat(cache("main").get(3)).isNull();
		assertThat(valueOf(cache("main").get(4))).isEqualTo(even);
	}

	@Test
	void unlessKeepsAResultOutOfTheCache() {
		CountingService service = start();
		assertThat(service.getUnlessAboveTen(10)).isEqualTo(10L);
		assertThat(service.getUnlessAboveTen(11)).isEqualTo(11L);
		assertThat(service.getUnlessAboveTen(10)).isEqualTo(10L);
		assertThat(service.getUnlessAboveTen(11)).isEqualTo(11L);
		assertThat(service.calls()).isEqualTo(3);
		assertThat(valueOf(cache("main").get(10L))).isEqualTo(10L);
		assertThat(cache("main").get(11L)).isNull();
	}

	@Test
	void cachePutAlwaysCallsTheMethodAndStoresItsResult() {
		CountingService service = start();
		Object key = new Object();
		service.put(key);
		Long second = service.put(key);
		assertThat(service.calls()).isEqualTo(2);
		assertThat(valueOf(cache("main").get(key))).isEqualTo(second);
		assertThat(service.get(key)).isEqualTo(second);
		assertThat(service.calls()).isEqualTo(2);
	}

	@Test
	void cachePutConditionDecidesWhatIsStored() {
		CountingService service = start();
		assertThat(service.putIfThree(1)).isEqualTo(1L);
		assertThat(service.putIfThree(3)).isEqualTo(3L);
		assertThat(cache("main").get(1)).isNull();
		assertThat(valueOf(cache("main").get(3))).isEqualTo(3L);
	}

	@Test
	void cachePutKeyCanComeFromTheResultAndAValueNoNodeCanSerializeIsCachedHere() {
		CountingService service = start();
		Book book = new Book("isbn-1", "Dune");
		assertThat(service.save(book)).isSameAs(book);
		assertThat(valueOf(cache("main").get("isbn-1"))).isEqualTo(book);
	}

	@Test
	void evictRemovesItsKeyAndNoOther() {
		CountingService service = start();
		Object evicted = new Object();
		Object kept = new Object();
		Long first = service.get(evicted);
		Long other = service.get(kept);
		service.evict(evicted);
		assertThat(cache("main").get(evicted)).isNull();
		assertThat(valueOf(cache("main").get(kept))).isEqualTo(other);
		assertThat(service.get(evicted)).isNotEqualTo(first);
		assertThat(service.calls()).isEqualTo(4);
	}

	@Test
	void evictOfAStringKeyRemovesIt() {
		CountingService service = start();
		Long first = service.get("isbn-1");
		service.evict("isbn-1");
		assertThat(cache("main").get("isbn-1")).isNull();
		assertThat(service.get("isbn-1")).isNotEqualTo(first);
	}

	@Test
	void evictAfterTheCallIsSkippedWhenTheMethodFails() {
		CountingService service = start();
		Object key = new Object();
		Long first = service.get(key);
		assertThatIllegalStateException().isThrownBy(() -> service.evictAfterFailing(key));
		assertThat(valueOf(cache("main").get(key))).isEqualTo(first);
		assertThat(service.get(key)).isEqualTo(first);
	}

	@Test
	void evictBeforeTheCallHappensEvenWhenTheMethodFails() {
		CountingService service = start();
		Object key = new Object();
		Long first = service.get(key);
		assertThatIllegalStateException().isThrownBy(() -> service.evictBeforeFailing(key));
		assertThat(cache("main").get(key)).isNull();
		assertThat(service.get(key)).isNotEqualTo(first);
	}

	@Test
	void evictOfAllEntriesClearsTheCacheAndNoOther() {
		CountingService service = start();
		Object first = new Object();
		service.get(first);
		service.get("isbn-1");
		cache("primary").put("isbn-1", "kept");
		service.evictAll();
		assertThat(cache("main").get(first)).isNull();
		assertThat(cache("main").get("isbn-1")).isNull();
		assertThat(valueOf(cache("primary").get("isbn-1"))).isEqualTo("kept");
		service.get(first);
		service.get("isbn-1");
		assertThat(service.calls()).isEqualTo(5);
	}

	@Test
	void evictOfAllEntriesAfterTheCallIsSkippedWhenTheMethodFails() {
		CountingService service = start();
		Object key = new Object();
		Long first = service.get(key);
		assertThatIllegalStateException().isThrownBy(service::evictAllAfterFailing);
		assertThat(valueOf(cache("main").get(key))).isEqualTo(first);
	}

	@Test
	void evictOfAllEntriesBeforeTheCallHappensEvenWhenTheMethodFails() {
		CountingService service = start();
		Object key = new Object();
		service.get(key);
		service.get("isbn-1");
		assertThatIllegalStateException().isThrownBy(service::evictAllBeforeFailing);
		assertThat(cache("main").get(key)).isNull();
		assertThat(cache("main").get("isbn-1")).isNull();
	}

	@Test
	void cacheableInTwoCachesStoresTheResultInBoth() {
		CountingService service = start();
		Object key = new Object();
		Long first = service.getInBoth(key);
		assertThat(service.getInBoth(key)).isEqualTo(first);
		assertThat(service.calls()).isEqualTo(1);
		assertThat(valueOf(cache("primary").get(key))).isEqualTo(first);
		assertThat(valueOf(cache("secondary").get(key))).isEqualTo(first);
	}

	@Test
	void cachePutInTwoCachesStoresTheResultInBoth() {
		CountingService service = start();
		Long first = service.putInBoth(1);
		assertThat(valueOf(cache("primary").get(1))).isEqualTo(first);
		assertThat(valueOf(cache("secondary").get(1))).isEqualTo(first);
	}

	@Test
	void evictFromTwoCachesRemovesEachKeyItNames() {
		CountingService service = start();
		Long first = service.getInBoth("isbn-1");
		cache("primary").put("isbn-1-copy", "copy");
		service.evictFromBoth("isbn-1");
		assertThat(cache("primary").get("isbn-1")).isNull();
		assertThat(cache("primary").get("isbn-1-copy")).isNull();
		assertThat(cache("secondary").get("isbn-1")).isNull();
		Long second = service.getInBoth("isbn-1");
		assertThat(second).isNotEqualTo(first);
		assertThat(service.getInBoth("isbn-1")).isEqualTo(second);
	}

	@Test
	void oneCallCanCacheInOneCacheAndClearAnother() {
		CountingService service = start();
		cache("secondary").put(1, "old");
		Long first = service.getInPrimaryClearingSecondary(1);
		assertThat(service.getInPrimaryClearingSecondary(2)).isEqualTo(first);
		assertThat(service.calls()).isEqualTo(1);
		assertThat(valueOf(cache("primary").get("getInPrimaryClearingSecondary"))).isEqualTo(first);
		assertThat(cache("secondary").get(1)).isNull();
	}

	@Test
	void classLevelCacheableAppliesToEveryMethodWithoutAnAnnotationOfItsOwn() {
		start();
		ClassAnnotatedService service = this.context.getBean(ClassAnnotatedService.class);
		ClassAnnotatedService target = (ClassAnnotatedService) AopProxyUtils.getSingletonTarget(service);
		Object key = new Object();
		Long first = service.get(key);
		assertThat(service.get(key)).isEqualTo(first);
		// Both methods share the class-level cache, and the default key is the argument.
		assertThat(service.getNull(key)).isEqualTo(first);
		Object other = new Object();
		assertThat(service.getNull(other)).isNull();
		assertThat(service.getNull(other)).isNull();
		assertThat(target.calls.get()).isEqualTo(2);
		assertThat(valueOf(cache("main").get(key))).isEqualTo(first);
		assertThat(valueOf(cache("main").get(other))).isNull();
	}

	@Test
	void methodAnnotationsOverrideTheClassLevelOne() {
		start();
		ClassAnnotatedService service = this.context.getBean(ClassAnnotatedService.class);
		ClassAnnotatedService target = (ClassAnnotatedService) AopProxyUtils.getSingletonTarget(service);
		Object key = new Object();
		service.get(key);
		Long put = service.put(key);
		assertThat(valueOf(cache("main").get(key))).isEqualTo(put);
		service.evict(key);
		service.evict(key);
		assertThat(target.calls.get()).isEqualTo(4);
		assertThat(cache("main").get(key)).isNull();
	}

}
