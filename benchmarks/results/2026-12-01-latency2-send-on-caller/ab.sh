#!/usr/bin/env bash
# A/B runs of benchmark 3 (Redis and peers only), alternating before and after jars, under the build lock.
cd /work/wt-latency2
cp="/tmp/l2ab/bench-classes:$(sed 's#/work/wt-latency2/core/target/tiercache-core-0.1.0-SNAPSHOT.jar#/tmp/l2ab/after-core.jar#' /tmp/l2ab/classpath.txt)"
for round in $(seq 1 "${1:-3}"); do
	for variant in before after; do
		extra=""
		[ "$variant" = before ] && extra="/tmp/l2ab/before:"
		echo "== round $round $variant $(date -u +%H:%M:%S)"
		java -Xmx2g -Dlogback.configurationFile=benchmarks/src/main/resources/logback.xml -cp "$extra$cp" \
			dev.tiercache.benchmarks.e2e.RemoteHitBenchmark quick redis-cache-manager tiercache-peers 2>>/tmp/l2ab/stderr.log | grep '|'
	done
done
