package dev.tiercache.remote.redis;

import dev.tiercache.remote.RemoteTier;
import dev.tiercache.stats.StatsCounter;

/**
 * A cache as the Redis tier knows it.
 *
 * @param stats the cache's statistics, where the tier counts its errors
 * @param invalidations drops the cache's hot copies
 * @param idleTtl the sliding time to live argument of the scripts, {@code "0"} for none
 * @author tiercache
 */
record Registration(StatsCounter stats, RemoteTier.Invalidations invalidations, byte[] idleTtl) {

}
