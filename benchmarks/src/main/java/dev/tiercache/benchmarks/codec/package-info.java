/**
 * Benchmark 6: the codecs of the remote tiers, encode + decode time and bytes per value.
 */
@NullMarked
package dev.tiercache.benchmarks.codec;

import org.jspecify.annotations.NullMarked;
