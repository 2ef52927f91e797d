#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md and writes the tables to benchmarks/results/.
#
#   benchmarks/run.sh [quick|full] [hit|remote|stampede|capacity|tracking|codec|workload ...]
#
# quick (the default) finishes in about 11 minutes on 2 cores; full runs longer
# iterations, two JMH forks and larger workloads. Naming benchmarks runs only those.
# Needs only a JDK: the Redis benchmarks start their own redis-server on loopback.
set -euo pipefail

mode="${1:-quick}"
shift || true
case "$mode" in
	quick|full) ;;
	*) echo "usage: $0 [quick|full] [hit|remote|stampede|capacity|tracking|codec|workload ...]" >&2; exit 2 ;;
esac
selected=("$@")
if [ ${#selected[@]} -eq 0 ]; then
	selected=(hit remote stampede capacity codec workload)
fi

cd "$(dirname "$0")/.."
./mvnw -q -B -pl benchmarks -am package -DskipTests
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
out="benchmarks/results/$(date -u +%Y-%m-%dT%H%M%SZ)-$mode"
mkdir -p "$out"

run() {
	java -Xmx2g -Dlogback.configurationFile=benchmarks/src/main/resources/logback.xml -cp "$classpath" "$@" 2>>"$out/stderr.log"
}

{
	echo "# tiercache benchmarks ($mode)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo ' (with uncommitted changes)')"
	echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
	echo "- java: $(java -version 2>&1 | head -1)"
	for benchmark in "${selected[@]}"; do
		case "$benchmark" in
			hit) run dev.tiercache.benchmarks.jmh.HitPathBenchmarks "$mode" "$out/jmh" ;;
			remote) run dev.tiercache.benchmarks.e2e.RemoteHitBenchmark "$mode" ;;
			stampede) run dev.tiercache.benchmarks.e2e.StampedeBenchmark "$mode" ;;
			capacity) run dev.tiercache.benchmarks.e2e.CapacityBenchmark "$mode" ;;
			tracking) run dev.tiercache.benchmarks.e2e.TrackingBenchmark "$mode" ;;
			codec) run dev.tiercache.benchmarks.codec.CodecBenchmarks "$mode" "$out/jmh-codec.log" ;;
			workload) run dev.tiercache.benchmarks.e2e.WorkloadBenchmark "$mode" ;;
			*) echo "unknown benchmark '$benchmark'; use hit, remote, stampede, capacity, tracking, codec or workload" >&2; exit 2 ;;
		esac
	done
} | tee "$out/results.md"
echo "Results in $out" >&2
