/**
 * The local tier: two Caffeine caches per Spring cache. <em>main</em> holds the entries
 * this node is authoritative for (every entry in local mode, owned keys in peers mode);
 * <em>hot</em> holds bounded, short-lived copies of entries whose authoritative copy
 * lives elsewhere, so that popular remote keys are served without a network round trip.
 *
 * <p>
 * Entries are {@link dev.tiercache.local.CacheEntry} objects that carry their own time to
 * live (randomly shortened by the configured jitter when written) and are themselves
 * Spring {@code ValueWrapper}s, so a hit returns the stored object without allocating.
 * They expire by the {@link dev.tiercache.local.CoarseTicker}, so a hit does not read the
 * system clock either.
 */
@NullMarked
package dev.tiercache.local;

import org.jspecify.annotations.NullMarked;
