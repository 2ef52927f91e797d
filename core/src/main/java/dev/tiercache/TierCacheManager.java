package dev.tiercache;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tiercache.local.CoarseTicker;
import dev.tiercache.local.LocalTier;
import dev.tiercache.observation.TierCacheObserver;
import dev.tiercache.remote.PauseDetector;
import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.CacheManager;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.Assert;

/**
 * A Spring {@link CacheManager} of {@link TierCache}s, built with {@link #builder()}:
 *
 * <pre class="code">
 * TierCacheManager manager = TierCacheManager.builder()
 * 	.cacheDefaults(TierCacheConfiguration.defaultCacheConfig().withTtl(Duration.ofMinutes(5)))
 * 	.withCacheConfiguration("books", TierCacheConfiguration.defaultCacheConfig().withTtl(Duration.ofHours(1)))
 * 	.build();
 * </pre>
 *
 * Caches configured on the builder exist from the start; other names are created with the
 * defaults on first use, unless dynamic creation is turned off, in which case asking for
 * an unknown name fails with a message that lists the configured caches.
 *
 * @author tiercache
 */
public final class TierCacheManager implements CacheManager, AutoCloseable {

	private static final Log logger = LogFactory.getLog(TierCacheManager.class);

	/** The most platform threads for asynchronous remote work, unless set. */
	public static final int DEFAULT_REMOTE_THREADS = 64;

	private final ConcurrentMap<String, TierCache> caches = new ConcurrentHashMap<>();

	private final TierCacheConfiguration defaults;

	private final boolean dynamic;

	private final Ticker ticker;

	/** The shared coarse clock, when no clock was given, released on close. */
	private final @Nullable CoarseTicker ownClock;

	private final AtomicBoolean closed = new AtomicBoolean();

	private final RandomGenerator random;

	private final Executor executor;

	private final boolean recordStats;

	private final @Nullable RemoteTier remote;

	private final RemoteExecutor remoteExecutor;

	private final TierCacheObserver observer;

	/** Drops local copies after a long pause, in the remote modes. */
	private final @Nullable AutoCloseable pauses;

	private final List<Consumer<? super TierCache>> creationListeners = new CopyOnWriteArrayList<>();

	private TierCacheManager(Builder builder) {
		this.defaults = builder.defaults;
		this.dynamic = builder.dynamic;
		this.ownClock = (builder.ticker == null) ? CoarseTicker.acquire() : null;
		this.ticker = (this.ownClock != null) ? this.ownClock : builder.ticker;
		this.random = builder.random;
		this.executor = builder.executor;
		this.recordStats = builder.recordStats;
		this.remote = builder.remote;
		this.observer = builder.observer;
		this.remoteExecutor = RemoteExecutor.create(builder.remoteThreads, builder.virtualThreads,
				builder.taskDecorator);
		builder.configurations.forEach((name, configuration) -> this.caches.put(name, create(name, configuration)));
		if (this.remote != null && this.dynamic) {
			this.remote.onUnknownCache(this::getCache);
		}
		Duration tolerance = (this.remote != null) ? this.remote.pauseTolerance() : null;
		this.pauses = (tolerance != null) ? PauseDetector.watch(tolerance, this::pausedFor) : null;
	}

	/**
	 * Return a builder with the {@linkplain TierCacheConfiguration#defaultCacheConfig()
	 * default configuration}, dynamic cache creation and statistics on.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	@Override
	public @Nullable TierCache getCache(String name) {
		TierCache existing = this.caches.get(name);
		if (existing != null) {
			return existing;
		}
		if (!this.dynamic) {
			throw new IllegalArgumentException("Cannot find cache named '" + name + "': dynamic cache creation is off "
					+ "(tiercache.dynamic=false) and the configured caches are " + new TreeSet<>(this.caches.keySet())
					+ ". Add '" + name + "' under tiercache.caches, or set tiercache.dynamic=true.");
		}
		// Created and registered with the remote tier inside computeIfAbsent, so that
		// concurrent first callers cannot register a second cache of the same name: the
		// remote tier would deliver invalidations and serve peers from an orphan.
		TierCache[] created = new TierCache[1];
		TierCache cache = this.caches.computeIfAbsent(name, (key) -> created[0] = create(key, this.defaults));
		if (cache == created[0]) {
			this.creationListeners.forEach((listener) -> listener.accept(cache));
		}
		return cache;
	}

	@Override
	public Collection<String> getCacheNames() {
		return Collections.unmodifiableSet(this.caches.keySet());
	}

	/**
	 * Return whether caches are created on first use.
	 * @return whether dynamic creation is on
	 */
	public boolean isDynamic() {
		return this.dynamic;
	}

	/**
	 * Return the configuration that caches created on first use get.
	 * @return the default configuration
	 */
	public TierCacheConfiguration getCacheDefaults() {
		return this.defaults;
	}

	/**
	 * Call {@code listener} for every cache created on first use from now on, for example
	 * to bind it to a meter registry. Caches that exist already are not passed.
	 * @param listener called with each new cache, on the thread that first asked for it
	 */
	public void addCreationListener(Consumer<? super TierCache> listener) {
		Assert.notNull(listener, "listener must not be null");
		this.creationListeners.add(listener);
	}

	/**
	 * Return whether asynchronous remote work runs on virtual threads.
	 * @return {@code true} for virtual threads, {@code false} for the bounded pool of
	 * platform threads
	 * @see Builder#virtualThreads(boolean)
	 */
	public boolean usesVirtualThreads() {
		return this.remoteExecutor.isVirtual();
	}

	/**
	 * Return the remote tier, if this manager has one.
	 * @return the remote tier, or {@code null} in local mode
	 */
	public @Nullable RemoteTier getRemoteTier() {
		return this.remote;
	}

	/**
	 * Close the remote tier, if any, stop the threads of asynchronous remote loads and
	 * release the clock.
	 */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		if (this.ownClock != null) {
			this.ownClock.release();
		}
		if (this.pauses != null) {
			try {
				this.pauses.close();
			}
			catch (Exception ex) {
				// Stopping a watcher cannot fail.
			}
		}
		if (this.remote != null) {
			this.remote.close();
		}
		this.remoteExecutor.close();
	}

	/**
	 * This node was paused for longer than its remote tier tolerates: it may have missed
	 * invalidations, so drop every local copy.
	 */
	private void pausedFor(long nanos) {
		logger.warn("tiercache: this node was paused for " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms, longer "
				+ "than its remote tier tolerates; dropped the local copies of every cache, since invalidations sent "
				+ "meanwhile may have been missed");
		this.caches.values().forEach(TierCache::dropLocalCopies);
	}

	private TierCache create(String name, TierCacheConfiguration configuration) {
		StatsCounter stats = this.recordStats ? StatsCounter.concurrent() : StatsCounter.disabled();
		boolean withHot = this.remote != null;
		LocalTier tier = new LocalTier(configuration, withHot, this.ticker, this.random, this.executor, stats);
		String where = (this.remote != null) ? this.remote.view().mode() : "local";
		Observations observations = new Observations(this.observer, name, where, stats);
		TierCache cache = new TierCache(name, configuration, tier, stats, observations, this.remote,
				this.remoteExecutor);
		if (this.remote != null) {
			this.remote.register(name, configuration, observations.remoteStats(stats), cache.localStore());
		}
		return cache;
	}

	/**
	 * Builds a {@link TierCacheManager}; {@link #build()} checks the whole.
	 */
	public static final class Builder {

		private TierCacheConfiguration defaults = TierCacheConfiguration.defaultCacheConfig();

		private final Map<String, TierCacheConfiguration> configurations = new LinkedHashMap<>();

		private boolean dynamic = true;

		private @Nullable Ticker ticker;

		private RandomGenerator random = ThreadLocalRandom.current();

		private Executor executor = Runnable::run;

		private boolean recordStats = true;

		private @Nullable RemoteTier remote;

		private int remoteThreads = DEFAULT_REMOTE_THREADS;

		private boolean virtualThreads;

		private @Nullable TaskDecorator taskDecorator;

		private TierCacheObserver observer = TierCacheObserver.none();

		private Builder() {
		}

		/**
		 * Decorate every task of asynchronous remote work (see
		 * {@link #remoteThreads(int)}), for example with Spring's
		 * {@code ContextPropagatingTaskDecorator}, so that the caller's trace, MDC and
		 * security context reach loaders that run on tiercache's threads.
		 * @param taskDecorator the decorator
		 * @return this builder
		 */
		public Builder taskDecorator(TaskDecorator taskDecorator) {
			Assert.notNull(taskDecorator, "taskDecorator must not be null");
			this.taskDecorator = taskDecorator;
			return this;
		}

		/**
		 * Report loads, remote fetches and lease waits to {@code observer}.
		 * @param observer the observer
		 * @return this builder
		 */
		public Builder observer(TierCacheObserver observer) {
			Assert.notNull(observer, "observer must not be null");
			this.observer = observer;
			return this;
		}

		/**
		 * Set the most platform threads for asynchronous remote work (fetches, loads and
		 * lease waits of methods returning a {@code CompletableFuture} or a reactive
		 * type); when all are busy, the calling thread runs the work itself. The default
		 * is {@value TierCacheManager#DEFAULT_REMOTE_THREADS}.
		 * @param maxThreads the most threads, at least 1
		 * @return this builder
		 */
		public Builder remoteThreads(int maxThreads) {
			Assert.isTrue(maxThreads >= 1, () -> "remote-threads must be at least 1, but was " + maxThreads);
			this.remoteThreads = maxThreads;
			return this;
		}

		/**
		 * Set whether asynchronous remote work runs on virtual threads, one per task and
		 * not pooled, instead of a bounded pool of platform threads. Only on Java 21 and
		 * later; on older Java it is ignored. Spring Boot turns it on with
		 * {@code spring.threads.virtual.enabled=true}.
		 * @param virtualThreads whether to use virtual threads
		 * @return this builder
		 */
		public Builder virtualThreads(boolean virtualThreads) {
			this.virtualThreads = virtualThreads;
			return this;
		}

		/**
		 * Put {@code remote} behind the local tier (peers or Redis mode); without one the
		 * manager runs in local mode. The manager closes it when it is closed.
		 * @param remote the remote tier
		 * @return this builder
		 */
		public Builder remoteTier(RemoteTier remote) {
			Assert.notNull(remote, "remote must not be null");
			this.remote = remote;
			return this;
		}

		/**
		 * Set the configuration of caches that have none of their own.
		 * @param defaults the default configuration
		 * @return this builder
		 */
		public Builder cacheDefaults(TierCacheConfiguration defaults) {
			Assert.notNull(defaults, "defaults must not be null");
			this.defaults = defaults;
			return this;
		}

		/**
		 * Create the cache {@code name} at start-up with {@code configuration}.
		 * @param name the cache name
		 * @param configuration its settings
		 * @return this builder
		 */
		public Builder withCacheConfiguration(String name, TierCacheConfiguration configuration) {
			Assert.hasText(name, "Cache names must not be empty");
			Assert.notNull(configuration, () -> "The configuration of cache '" + name + "' must not be null");
			this.configurations.put(name, configuration);
			return this;
		}

		/**
		 * Create the caches {@code names} at start-up with the default configuration.
		 * @param names the cache names
		 * @return this builder
		 */
		public Builder withInitialCacheNames(Collection<String> names) {
			names.forEach((name) -> withCacheConfiguration(name, this.defaults));
			return this;
		}

		/**
		 * Set whether unknown cache names are created on first use (the default) or fail.
		 * @param dynamic whether caches are created on first use
		 * @return this builder
		 */
		public Builder dynamic(boolean dynamic) {
			this.dynamic = dynamic;
			return this;
		}

		/**
		 * Set the clock that entries expire by; tests pass a fake one. The default is the
		 * {@link CoarseTicker}, the system clock read once per millisecond.
		 * @param ticker the clock
		 * @return this builder
		 */
		public Builder ticker(Ticker ticker) {
			Assert.notNull(ticker, "ticker must not be null");
			this.ticker = ticker;
			return this;
		}

		/**
		 * Set the random source of TTL jitter; tests pass a seeded one.
		 * @param random the random source, used from many threads
		 * @return this builder
		 */
		public Builder random(RandomGenerator random) {
			Assert.notNull(random, "random must not be null");
			this.random = random;
			return this;
		}

		/**
		 * Set where Caffeine runs maintenance work and eviction listeners. The default,
		 * {@code Runnable::run}, runs it on the caller that fills a read buffer: a few
		 * O(1) steps per buffered read, and the listener only counts evictions. Handing
		 * it to a pool instead wakes a parked worker every few reads when reads are
		 * spread out, as behind Spring's proxy, which cost such a hit about 20%
		 * (docs/benchmarks.md); it also keeps caches clear of the common pool's lost-task
		 * bug on Java 17 (JDK-8330017).
		 * @param executor the executor; {@code Runnable::run} (the default) runs it on
		 * the caller
		 * @return this builder
		 */
		public Builder executor(Executor executor) {
			Assert.notNull(executor, "executor must not be null");
			this.executor = executor;
			return this;
		}

		/**
		 * Set whether caches record statistics (the default) or not.
		 * @param recordStats whether to record statistics
		 * @return this builder
		 */
		public Builder recordStats(boolean recordStats) {
			this.recordStats = recordStats;
			return this;
		}

		/**
		 * Build the manager and create the configured caches.
		 * @return the manager
		 * @throws IllegalStateException if dynamic creation is off and no cache is
		 * configured, since every cache lookup would then fail
		 * @throws IllegalArgumentException if a configuration's settings do not fit
		 * together ({@link TierCacheConfiguration#validate()})
		 */
		public TierCacheManager build() {
			Assert.state(this.dynamic || !this.configurations.isEmpty(),
					"Dynamic cache creation is off (tiercache.dynamic=false) but no cache is configured, so every "
							+ "lookup would fail: name your caches under tiercache.caches, or set tiercache.dynamic=true");
			validate("The default cache configuration", this.defaults);
			this.configurations.forEach((name, configuration) -> validate("Cache '" + name + "'", configuration));
			return new TierCacheManager(this);
		}

		private static void validate(String what, TierCacheConfiguration configuration) {
			try {
				configuration.validate();
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException(what + " is invalid: " + ex.getMessage(), ex);
			}
		}

	}

}
