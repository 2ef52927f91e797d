package dev.tiercache.benchmarks.jmh;

import java.util.concurrent.TimeUnit;

import dev.tiercache.benchmarks.Contender;
import dev.tiercache.benchmarks.Contender.Nodes;

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
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Benchmark 1: a {@code @Cacheable} method served from cache, through Spring's proxy, for
 * each local contender. tiercache-peers is the owner side of peers mode: a member that
 * owns the keys it is asked for.
 *
 * @author tiercache
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProxyHitBenchmark {

	/** The cache manager behind the proxy. */
	@Param({ "tiercache-local", "tiercache-peers", "caffeine", "concurrent-map" })
	public String contender;

	/** How full the cache is: {@code full} or {@code tenth} (see {@link Fill}). */
	@Param({ "full", "tenth" })
	public String fill;

	private Nodes nodes;

	private AnnotationConfigApplicationContext context;

	private BookService books;

	@Setup(Level.Trial)
	public void start() {
		this.nodes = Contender.of(this.contender).start(1, Fill.of(this.fill).config(Keys.COUNT), null);
		this.context = new AnnotationConfigApplicationContext();
		this.context.registerBean(CacheManager.class, () -> this.nodes.manager(0));
		this.context.register(Application.class);
		this.context.refresh();
		this.books = this.context.getBean(BookService.class);
		for (int i = 0; i < Keys.COUNT; i++) {
			this.books.find(Keys.id(i));
		}
		if (this.books.loads() != Keys.COUNT) {
			throw new IllegalStateException(this.contender + " did not cache: " + this.books.loads() + " loads");
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.context.close();
		this.nodes.close();
	}

	@Benchmark
	public Object cacheable(Keys keys) {
		return this.books.find(keys.next());
	}

	@Benchmark
	public Object cacheableSync(Keys keys) {
		return this.books.findSync(keys.next());
	}

	@TearDown(Level.Iteration)
	public void checkNoLoads() {
		if (this.books.loads() != Keys.COUNT) {
			throw new IllegalStateException(this.contender + " missed: " + this.books.loads() + " loads");
		}
	}

	/**
	 * The application: caching enabled, one cached service.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	public static class Application {

		@Bean
		BookService bookService() {
			return new BookService();
		}

	}

}
