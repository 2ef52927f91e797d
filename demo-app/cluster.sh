#!/usr/bin/env bash
# Start a demo cluster on this machine and stop it on Ctrl-C.
#
#   demo-app/cluster.sh          three nodes in peers mode (JGroups on 127.0.0.1)
#   demo-app/cluster.sh redis    a redis-server of its own and two nodes in Redis mode
#
# Every node shares one H2 database (a file under $DEMO_DB, by default
# ${TMPDIR:-/tmp}/tiercache-demo-cluster). HTTP ports are the first free ones from
# $PORT (8081); JGroups probes a free range from 7800; Redis takes a free port from 6380.
# Extra arguments after the mode go to every node, e.g. --demo.store.latency=200ms.
set -euo pipefail

mode="${1:-peers}"
[ $# -gt 0 ] && shift
case "$mode" in
peers) count=3 ;;
redis) count=2 ;;
*) echo "usage: $0 [peers|redis] [--property=value ...]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/demo-app/target/tiercache-demo.jar"
logs="$root/demo-app/target/cluster"
db="${DEMO_DB:-${TMPDIR:-/tmp}/tiercache-demo-cluster}/books"

if [ ! -f "$jar" ]; then
	echo "Building the demo (once)..."
	(cd "$root" && ./mvnw -B -q -DskipTests -pl demo-app -am package)
fi
mkdir -p "$logs"

in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The first port from $1 such that $2 consecutive ports are free.
free_ports() {
	local port="$1" count="$2" i
	while :; do
		for ((i = 0; i < count; i++)); do
			if in_use $((port + i)); then
				port=$((port + i + 1))
				continue 2
			fi
		done
		echo "$port"
		return
	done
}

pids=()
stop() {
	trap - INT TERM EXIT
	echo
	echo "Stopping ${#pids[@]} processes..."
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	echo "Stopped."
}
trap stop INT TERM EXIT

args=(--tiercache.mode="$mode" --demo.database.path="$db")
if [ "$mode" = redis ]; then
	if ! command -v redis-server >/dev/null; then
		echo "Redis mode needs redis-server on the PATH (Debian: sudo apt-get install redis-server)." >&2
		exit 1
	fi
	redis_port="$(free_ports 6380 1)"
	redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$logs/redis.log" 2>&1 &
	pids+=($!)
	echo "redis-server on 127.0.0.1:$redis_port (log: $logs/redis.log)"
	args+=(--spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$redis_port")
else
	cluster_port="$(free_ports 7800 $((count + 2)))"
	args+=(--tiercache.cluster.port="$cluster_port" --tiercache.cluster.port-range=$((count + 2)))
fi

http_port="$(free_ports "${PORT:-8081}" "$count")"
urls=()
for ((i = 0; i < count; i++)); do
	port=$((http_port + i))
	java -jar "$jar" --server.port="$port" "${args[@]}" "$@" >"$logs/node-$port.log" 2>&1 &
	pids+=($!)
	urls+=("http://localhost:$port/")
done

echo "Starting $count nodes in $mode mode (logs: $logs)..."
for url in "${urls[@]}"; do
	until curl -sf "${url}actuator/health" >/dev/null 2>&1; do
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2>/dev/null || { echo "A process exited; see $logs" >&2; exit 1; }
		done
		sleep 0.5
	done
done
echo
echo "Cluster up: $count nodes in $mode mode on one database ($db)."
for url in "${urls[@]}"; do
	echo "  $url   (dashboard; API at ${url}api/books/1)"
done
echo
echo "Press Ctrl-C to stop them all."
wait
