package dev.tiercache.remote;

import java.util.concurrent.atomic.AtomicLong;

import dev.tiercache.codec.CodecException;
import dev.tiercache.stats.Counter;
import dev.tiercache.stats.StatsCounter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Counts the payloads this node refused or could not encode, and says why in the log: the
 * first ten, then every thousandth, so a hostile or broken sender cannot flood it.
 *
 * @author tiercache
 */
public final class Rejections {

	private static final Log logger = LogFactory.getLog(Rejections.class);

	private final AtomicLong count = new AtomicLong();

	/**
	 * Count a refused payload (in {@code stats} too, if given) and log it, paced.
	 * @param stats the cache's statistics, or {@code null} if no cache is known
	 * @param ex why it was refused
	 */
	public void record(@Nullable StatsCounter stats, CodecException ex) {
		if (stats != null) {
			stats.record(Counter.REJECTED_PAYLOADS);
		}
		long count = this.count.incrementAndGet();
		if (count <= 10 || count % 1000 == 0) {
			logger.warn("tiercache: " + ex.getMessage() + " (" + count + " rejected so far)");
		}
	}

	/**
	 * Return how many payloads were refused.
	 * @return the count
	 */
	public long count() {
		return this.count.get();
	}

}
