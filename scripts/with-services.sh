#!/usr/bin/env bash
# Run a command against throwaway PostgreSQL and Redis servers on free loopback ports.
#
# Installs redis-server, postgresql, chromium, nginx and LibreOffice with apt-get when
# they are missing (scripts/install-services.sh), starts the servers on temporary
# data directories, exports DATABASE_URL and REDIS_URL, runs "$@", and stops the
# servers whatever happened.
set -euo pipefail

"$(dirname "$0")/install-services.sh"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

workdir=$(mktemp -d /tmp/thidua-services.XXXXXX)
chmod 755 "$workdir"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdata="$workdir/pg"
mkdir "$pgdata"

# PostgreSQL refuses to run as root: run it as the postgres user when we are root.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres:postgres "$pgdata"

cleanup() {
  as_pg "$pg_bin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  local pids=()
  for pid in "$workdir"/redis*.pid; do
    [ -f "$pid" ] && pids+=("$(cat "$pid")")
  done
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  # A Redis writes its log (and, if a test turned saving on, a dump) while it shuts
  # down: removing its directory before it has exited fails with "Directory not
  # empty" and turned a green run red. Wait for the servers to be gone, then remove.
  for _ in $(seq 100); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  rm -rf "$workdir" 2>/dev/null || { sleep 1; rm -rf "$workdir"; } || true
}
trap cleanup EXIT

# One Redis per test worker (TEST_WORKERS, scripts/run-suite.sh): each pytest-xdist
# worker needs a server of its own (tests/parallel.py). REDIS_URL is the first.
redis_ports=()
for ((i = 0; i < ${TEST_WORKERS:-$(nproc)}; i++)); do
  port=$(free_port)
  mkdir "$workdir/redis$i"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$workdir/redis$i.pid" --dir "$workdir/redis$i" \
    --logfile "$workdir/redis$i/redis.log"
  export "REDIS_URL_GW$i=redis://127.0.0.1:$port/0"
  redis_ports+=("$port")
done
redis_port=${redis_ports[0]}

pg_port=$(free_port)
# Tests run without fsync (their data is thrown away); the benchmark's "durable"
# awards must really be durable: PG_DURABLE=1 keeps fsync and synchronous commit on.
if [ "${PG_DURABLE:-0}" = 1 ]; then
  pg_durability="-c fsync=on -c synchronous_commit=on"
else
  pg_durability="-c fsync=off -c synchronous_commit=off"
fi
as_pg "$pg_bin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
  -o "-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 $pg_durability -c max_connections=200" \
  start >/dev/null

for port in "${redis_ports[@]}"; do
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
done

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/thidua"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export PG_BIN="$pg_bin"
# The deployment drills restart PostgreSQL (tests/deploy/test_drills.py).
export THIDUA_PGDATA="$pgdata"
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
"$@"
