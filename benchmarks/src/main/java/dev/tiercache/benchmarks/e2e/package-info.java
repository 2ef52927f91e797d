/**
 * End-to-end drivers: several nodes (cache managers with their own peers or Redis
 * connections) in one JVM, a real {@code redis-server} on loopback, latency percentiles
 * from HdrHistogram. Benchmarks 3 (remote hit), 4 (stampede), 5 (capacity), 6 (client
 * tracking) and 8 (a mixed workload).
 */
@NullMarked
package dev.tiercache.benchmarks.e2e;

import org.jspecify.annotations.NullMarked;
