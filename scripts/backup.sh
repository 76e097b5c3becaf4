#!/usr/bin/env bash
# Back up the database and the uploaded files: scripts/backup.sh DEST
#
# Writes DEST/<UTC time>/ with database.dump (pg_dump, custom format: compressed,
# restored table by table), media.tar.gz (MEDIA_ROOT), ledger.jsonl (the sealed
# ledger with its digests, checkable offline) and SHA256SUMS, then keeps the last
# BACKUP_KEEP (14) backups. Reads DATABASE_URL and MEDIA_ROOT from the environment
# (the service's env file). A backup is only as good as its restore: the test suite
# restores one into an empty database (tests/competitions/test_backup_restore.py), and
# scripts/restore.sh is the same steps for an operator.
set -euo pipefail
dest=${1:?usage: backup.sh DEST}
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PG=${PG_BIN:+$PG_BIN/}
: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${MEDIA_ROOT:?MEDIA_ROOT is not set}"

stamp=$(date -u +%Y%m%dT%H%M%SZ)
dir="$dest/$stamp"
mkdir -p "$dir"
# One consistent snapshot of every table (pg_dump runs in one repeatable-read
# transaction), while the platform keeps serving.
"${PG}pg_dump" --format=custom --no-owner --no-acl --file "$dir/database.dump" "$DATABASE_URL"
# Files written after the dump started may be missing from it (their rows too);
# files removed meanwhile (orphans) may be in it: the restore is still consistent
# for every row the dump holds, as rows name files written before them.
tar -C "$MEDIA_ROOT" -czf "$dir/media.tar.gz" .
"$PY" manage.py export_ledger "$dir/ledger.jsonl"
(cd "$dir" && sha256sum database.dump media.tar.gz ledger.jsonl > SHA256SUMS)

keep=${BACKUP_KEEP:-14}
ls -1d "$dest"/*/ 2>/dev/null | sort | head -n -"$keep" | xargs -r rm -rf
echo "$dir"
