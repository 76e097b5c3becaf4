#!/usr/bin/env bash
# Restore a backup into an EMPTY database: scripts/restore.sh BACKUP_DIR
#
# With DATABASE_URL naming the new, empty database, MEDIA_ROOT an empty folder and
# REDIS_URL the Redis the restored platform will use:
# checks the files' checksums, restores the database and the uploads, applies the
# migrations of this release (a backup of an older release is brought up to date),
# checks the ledger against its seals and against the digests in the backup, and
# rebuilds every board from the ledger. Badges and decisions are rows, restored
# as they were.
set -euo pipefail
dir=${1:?usage: restore.sh BACKUP_DIR}
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PG=${PG_BIN:+$PG_BIN/}
: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set}"

# A plain pg_dump of an older release (database.dump alone) restores too.
if [ -f "$dir/SHA256SUMS" ]; then (cd "$dir" && sha256sum --check --quiet SHA256SUMS); fi
tables=$("${PG}psql" -tA "$DATABASE_URL" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
  echo "the database is not empty ($tables tables): restore into a new one" >&2
  exit 1
fi
"${PG}pg_restore" --no-owner --no-acl --exit-on-error --dbname "$DATABASE_URL" "$dir/database.dump"
mkdir -p "$MEDIA_ROOT"
if [ -f "$dir/media.tar.gz" ]; then tar -C "$MEDIA_ROOT" -xzf "$dir/media.tar.gz"; fi
"$PY" manage.py migrate --noinput
# Entries of a release before the seals are sealed now; then every seal is checked,
# against the digests the backup carried when it has them.
"$PY" manage.py seal_ledger
if [ -f "$dir/ledger.jsonl" ]; then
  "$PY" manage.py verify_ledger --quiet --against "$dir/ledger.jsonl"
else
  "$PY" manage.py verify_ledger --quiet
fi
"$PY" manage.py rebuild_leaderboards
echo "restored $dir"
