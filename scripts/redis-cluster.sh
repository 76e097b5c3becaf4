#!/usr/bin/env bash
# A throwaway Redis Cluster on loopback, for tests and make bench-scale:
#   scripts/redis-cluster.sh start DIR [SHARDS]   prints redis://127.0.0.1:PORT/0
#   scripts/redis-cluster.sh stop DIR
# Each shard is one redis-server --cluster-enabled yes, without persistence or
# replicas (the boards are rebuilt from the ledger); the slots are spread evenly.
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a folder}
shards=${3:-3}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

if [ "$action" = stop ]; then
  for pidfile in "$dir"/*.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  exit 0
fi

mkdir -p "$dir"
nodes=()
for i in $(seq "$shards"); do
  # A free port can be taken by another process before we bind it: try again.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    mkdir -p "$dir/$port"
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/$port/nodes.conf" --cluster-node-timeout 2000 \
      --save '' --appendonly no --daemonize yes --dir "$dir/$port" \
      --pidfile "$dir/$port.pid" --logfile "$dir/$port/redis.log" >/dev/null || true
    up=0
    for _ in $(seq 50); do
      if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then up=1; break; fi
      sleep 0.1
    done
    [ "$up" = 1 ] && break
  done
  [ "$up" = 1 ] || { echo "redis-server did not start (see $dir/*/redis.log)" >&2; exit 1; }
  nodes+=("127.0.0.1:$port")
done
# The slots by hand (redis-cli --cluster create wants three masters at least; a
# two-shard cluster is what the benchmark compares with one Redis): each node
# takes an equal range, then meets the first.
count=${#nodes[@]}
for i in $(seq 0 $((count - 1))); do
  low=$((16384 * i / count)); high=$((16384 * (i + 1) / count - 1))
  redis-cli -p "${nodes[$i]#*:}" cluster addslotsrange "$low" "$high" >/dev/null
  if [ "$i" -gt 0 ]; then
    redis-cli -p "${nodes[$i]#*:}" cluster meet 127.0.0.1 "${nodes[0]#*:}" >/dev/null
  fi
done
first=${nodes[0]#*:}
ok=0
for _ in $(seq 200); do
  all=1
  for node in "${nodes[@]}"; do
    info=$(redis-cli -p "${node#*:}" cluster info 2>/dev/null)
    echo "$info" | grep -q 'cluster_state:ok' || all=0
    echo "$info" | grep -q "cluster_known_nodes:$count" || all=0
  done
  if [ "$all" = 1 ]; then ok=1; break; fi
  sleep 0.1
done
[ "$ok" = 1 ] || { echo "the cluster did not form (see $dir)" >&2; exit 1; }
echo "redis://127.0.0.1:$first/0"
