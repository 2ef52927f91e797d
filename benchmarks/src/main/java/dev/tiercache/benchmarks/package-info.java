/**
 * Benchmarks of tiercache beside the cache managers Spring users pick today: the
 * contenders and their shared pieces. {@code jmh} holds the JMH benchmarks of the hit
 * path, {@code e2e} the end-to-end drivers (remote hits, stampedes, capacity) that need
 * several nodes, a real {@code redis-server} and latency percentiles.
 *
 * <p>
 * {@code benchmarks/run.sh} runs everything; docs/benchmarks.md reports the results.
 */
@NullMarked
package dev.tiercache.benchmarks;

import org.jspecify.annotations.NullMarked;
