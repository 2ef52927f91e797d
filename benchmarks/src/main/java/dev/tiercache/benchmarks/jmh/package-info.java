/**
 * JMH benchmarks of the hit path: a {@code @Cacheable} method through Spring's proxy
 * (benchmark 1) and a raw {@code Cache.get} (benchmark 2), with the bytes allocated per
 * operation from JMH's GC profiler.
 * {@link dev.tiercache.benchmarks.jmh.HitPathBenchmarks} runs them and prints ratios.
 */
@NullMarked
package dev.tiercache.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
