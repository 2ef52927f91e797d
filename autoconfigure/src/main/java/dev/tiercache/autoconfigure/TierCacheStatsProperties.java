package dev.tiercache.autoconfigure;

import java.time.Duration;

/**
 * Statistics settings, under {@code tiercache.stats}.
 *
 * @author tiercache
 */
public class TierCacheStatsProperties {

	/**
	 * How often to log one line of statistics per cache, such as 1m; 0 turns the log off.
	 */
	private Duration logInterval = Duration.ZERO;

	public Duration getLogInterval() {
		return this.logInterval;
	}

	public void setLogInterval(Duration logInterval) {
		this.logInterval = logInterval;
	}

}
