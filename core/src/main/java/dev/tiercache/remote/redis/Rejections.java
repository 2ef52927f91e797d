package dev.tiercache.remote.redis;

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
final class Rejections {

	private static final Log logger = LogFactory.getLog(Rejections.class);

	private final AtomicLong count = new AtomicLong();

	void record(@Nullable StatsCounter stats, CodecException ex) {
		if (stats != null) {
			stats.record(Counter.REJECTED_PAYLOADS);
		}
		long count = this.count.incrementAndGet();
		if (count <= 10 || count % 1000 == 0) {
			logger.warn("tiercache: " + ex.getMessage() + " (" + count + " rejected so far)");
		}
	}

	long count() {
		return this.count.get();
	}

}
