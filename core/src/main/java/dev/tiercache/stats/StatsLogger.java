package dev.tiercache.stats;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Logs one line per cache every interval, with the counts of that interval, in the style
 * of groupcache's stats:
 * {@code books - qpm: 5057, hit_ratio: 99.7%, hit: 5044, miss: 13, load_fails: 0, peer_loads: 120, deduped: 31}.
 * {@code qpm} is reads per minute; {@code peer_loads} are reads answered by the remote
 * tier.
 *
 * @author tiercache
 */
public final class StatsLogger implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(StatsLogger.class);

	private final Supplier<Map<String, CacheStats>> stats;

	private final Duration interval;

	private final Map<String, CacheStats> previous = new HashMap<>();

	private final ScheduledExecutorService scheduler;

	/**
	 * Create a logger; {@link #start()} starts it.
	 * @param stats the current statistics of every cache, by name
	 * @param interval how often to log; must be positive
	 */
	public StatsLogger(Supplier<Map<String, CacheStats>> stats, Duration interval) {
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "The stats log interval must be positive");
		this.stats = stats;
		this.interval = interval;
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "tiercache-stats");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Log every interval from now on.
	 */
	public void start() {
		long millis = this.interval.toMillis();
		this.stats.get().forEach(this.previous::put);
		this.scheduler.scheduleAtFixedRate(this::logAll, millis, millis, TimeUnit.MILLISECONDS);
	}

	private void logAll() {
		try {
			this.stats.get().forEach((name, current) -> {
				CacheStats before = this.previous.put(name, current);
				logger.info(line(name, before, current, this.interval));
			});
		}
		catch (RuntimeException ex) {
			logger.warn("Could not log cache statistics", ex);
		}
	}

	/**
	 * Format the line for one cache: the counts between {@code before} and {@code now}.
	 * @param name the cache name
	 * @param before the statistics at the start of the interval, or {@code null}
	 * @param now the statistics at its end
	 * @param interval the length of the interval
	 * @return the line
	 */
	public static String line(String name, @Nullable CacheStats before, CacheStats now, Duration interval) {
		long hits = delta(before, now, Counter.MAIN_HITS) + delta(before, now, Counter.HOT_HITS)
				+ delta(before, now, Counter.REMOTE_HITS);
		long misses = delta(before, now, Counter.MISSES);
		long requests = hits + misses;
		long qpm = (interval.toMillis() > 0) ? Math.round(requests * 60_000.0 / interval.toMillis()) : requests;
		double hitRatio = (requests != 0) ? 100.0 * hits / requests : 100.0;
		return String.format(Locale.ROOT,
				"%s - qpm: %d, hit_ratio: %.1f%%, hit: %d, miss: %d, load_fails: %d, peer_loads: %d, deduped: %d", name,
				qpm, hitRatio, hits, misses, delta(before, now, Counter.LOAD_FAILURES),
				delta(before, now, Counter.REMOTE_HITS), delta(before, now, Counter.LOADS_DEDUPLICATED));
	}

	private static long delta(@Nullable CacheStats before, CacheStats now, Counter counter) {
		return now.count(counter) - ((before != null) ? before.count(counter) : 0);
	}

	@Override
	public void close() {
		this.scheduler.shutdownNow();
	}

}
