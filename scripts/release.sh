#!/usr/bin/env bash
# The release steps of a deployment (README, "Deploying"). Run as the service user
# in the new release's folder, with the production environment loaded:
#
#   set -a; . /etc/thiduaso/env; set +a; scripts/release.sh
#
# Installs the pinned libraries, stops on any deployment warning, migrates,
# collects static files, checks the ledger's seals, then restarts the workers one
# at a time (each back and healthy before the next: the others keep serving, and
# the pages' sockets reconnect to them) and the scheduler.
# --no-install and --no-restart skip those steps (the deployment test uses both).
set -euo pipefail
install=1 restart=1
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    --no-restart) restart=0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}

if [ "$install" = 1 ]; then
  "$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt
fi
"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0
# The seals of every committed block still match the ledger (exit 1 otherwise).
"$PY" manage.py verify_ledger --quiet

if [ "$restart" = 1 ]; then
  for unit in $(systemctl list-units 'thidua-worker@*' --plain --no-legend | awk '{print $1}'); do
    port=${unit#thidua-worker@}; port=${port%.service}
    systemctl restart "$unit"
    for _ in $(seq 60); do
      curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
      sleep 0.5
    done
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "$unit is not healthy" >&2; exit 1; }
  done
  systemctl restart thidua-scheduler.service
fi
echo "release done"
