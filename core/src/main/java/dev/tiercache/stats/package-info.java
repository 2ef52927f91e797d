/**
 * Statistics of a cache: one striped counter per {@link dev.tiercache.stats.Counter},
 * cheap enough for the hit path, and read as an immutable
 * {@link dev.tiercache.stats.CacheStats} snapshot. Every tier records into the same
 * {@link dev.tiercache.stats.StatsCounter}, so the remote modes add their events to the
 * same place as the local one.
 */
@NullMarked
package dev.tiercache.stats;

import org.jspecify.annotations.NullMarked;
