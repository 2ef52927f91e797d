package dev.tiercache.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tiercache.TierCacheConfiguration;
import dev.tiercache.TierCacheManager;
import dev.tiercache.benchmarks.Book;
import dev.tiercache.local.CoarseTicker;
import org.jspecify.annotations.Nullable;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.cache.caffeine.CaffeineCache;

/**
 * Benchmark 2: a raw {@code Cache.get(key)} hit, with no proxy: {@code TierCache} vs
 * Spring's {@code CaffeineCache} vs a bare Caffeine {@code getIfPresent}, all bounded and
 * expiring after the same time. {@code caffeine-per-entry-ttl} is bare Caffeine with a
 * per-entry expiry ({@code Expiry}), which tiercache needs for TTL jitter and for entries
 * that arrive with their remaining time to live. Run with 1 and 2 threads.
 *
 * @author tiercache
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CacheGetBenchmark {

	/** What answers the read. */
	@Param({ "tiercache-local", "caffeine-cache", "caffeine", "caffeine-per-entry-ttl",
			"caffeine-per-entry-ttl-coarse" })
	public String contender;

	/** How full the cache is: {@code full} or {@code tenth} (see {@link Fill}). */
	@Param({ "full", "tenth" })
	public String fill;

	private TierCacheManager manager;

	private @Nullable CoarseTicker clock;

	private Function<Object, Object> get;

	@Setup(Level.Trial)
	public void start() {
		TierCacheConfiguration config = Fill.of(this.fill).config(Keys.COUNT);
		this.manager = TierCacheManager.builder().cacheDefaults(config).build();
		this.clock = this.contender.endsWith("-coarse") ? CoarseTicker.acquire() : null;
		Cache<Object, Object> caffeine = this.contender.startsWith("caffeine-per-entry-ttl")
				? Caffeine.newBuilder()
					.ticker((this.clock != null) ? this.clock : Ticker.systemTicker())
					.maximumSize(config.getMaximumSize())
					.expireAfter(Expiry.writing((key, value) -> config.getTtl()))
					.build()
				: Caffeine.newBuilder().maximumSize(config.getMaximumSize()).expireAfterWrite(config.getTtl()).build();
		org.springframework.cache.Cache cache = switch (this.contender) {
			case "tiercache-local" -> this.manager.getCache("books");
			case "caffeine-cache" -> new CaffeineCache("books", caffeine);
			default -> null;
		};
		this.get = (cache != null) ? cache::get : caffeine::getIfPresent;
		for (int i = 0; i < Keys.COUNT; i++) {
			if (cache != null) {
				cache.put(Keys.id(i), Book.of(i));
			}
			else {
				caffeine.put(Keys.id(i), Book.of(i));
			}
		}
		for (int i = 0; i < Keys.COUNT; i++) {
			Long id = Keys.id(i);
			if (this.get.apply(id) == null) {
				throw new IllegalStateException(this.contender + " lost key " + id);
			}
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.manager.close();
		if (this.clock != null) {
			this.clock.release();
		}
	}

	@Benchmark
	public Object get(Keys keys) {
		return this.get.apply(keys.next());
	}

}
