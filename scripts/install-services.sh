#!/usr/bin/env bash
# Install with apt-get what `make test` runs for real and is missing: Redis, PostgreSQL,
# Chromium, nginx and LibreOffice. Quick when all are there. `make test` runs it beside
# the Python and npm installs (on a new machine the downloads overlap);
# scripts/with-services.sh runs it too, for the benches and drills.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The deployment test (tests/deploy) runs real nginx in front of two workers.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
# The commendation documents are opened by LibreOffice, as the office would open them.
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
if ((${#missing[@]})); then
  echo "Installing ${missing[*]} with apt-get ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
