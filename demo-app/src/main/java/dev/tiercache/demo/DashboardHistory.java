package dev.tiercache.demo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.tiercache.TierCache;
import dev.tiercache.TierCacheManager;
import dev.tiercache.stats.Counter;

import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The last five minutes of this node's cache counters (every cache together) and the
 * cluster's database reads, one sample a second, for the dashboard's chart:
 * {@code GET /api/history}. Kept on the server so that a page opened now shows what
 * happened before.
 *
 * @author tiercache
 */
@RestController
public class DashboardHistory {

	private static final int SAMPLES = 300;

	private final ArrayDeque<Sample> samples = new ArrayDeque<>(SAMPLES);

	private final TierCacheManager cacheManager;

	private final StoreReads reads;

	DashboardHistory(TierCacheManager cacheManager, StoreReads reads) {
		this.cacheManager = cacheManager;
		this.reads = reads;
	}

	@Scheduled(fixedRate = 1000)
	void sample() {
		long mainHits = 0;
		long hotHits = 0;
		long remoteHits = 0;
		long misses = 0;
		for (String name : this.cacheManager.getCacheNames()) {
			TierCache cache = this.cacheManager.getCache(name);
			if (cache != null) {
				Map<Counter, Long> stats = cache.getStats().asMap();
				mainHits += stats.getOrDefault(Counter.MAIN_HITS, 0L);
				hotHits += stats.getOrDefault(Counter.HOT_HITS, 0L);
				remoteHits += stats.getOrDefault(Counter.REMOTE_HITS, 0L);
				misses += stats.getOrDefault(Counter.MISSES, 0L);
			}
		}
		long clusterReads;
		try {
			clusterReads = this.reads.cluster();
		}
		catch (DataAccessException ex) {
			return; // the database is changing hands; the chart shows a gap
		}
		Sample sample = new Sample(System.currentTimeMillis(), mainHits, hotHits, remoteHits, misses, clusterReads);
		synchronized (this.samples) {
			if (this.samples.size() == SAMPLES) {
				this.samples.removeFirst();
			}
			this.samples.addLast(sample);
		}
	}

	/**
	 * Return the samples, oldest first; the counters are totals since start-up.
	 * @return up to five minutes of samples
	 */
	@GetMapping("/api/history")
	public List<Sample> history() {
		synchronized (this.samples) {
			return new ArrayList<>(this.samples);
		}
	}

	/**
	 * One second's totals.
	 *
	 * @param time when, in milliseconds since the epoch
	 * @param mainHits hits in main tiers
	 * @param hotHits hits in hot tiers
	 * @param remoteHits hits at the owner or in Redis
	 * @param misses misses
	 * @param clusterReads the cluster's reads of the database
	 */
	public record Sample(long time, long mainHits, long hotHits, long remoteHits, long misses, long clusterReads) {
	}

}
