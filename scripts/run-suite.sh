#!/usr/bin/env bash
# The whole suite on the machine's cores: the API fuzz (minutes of generating
# requests, one core) runs in a process of its own beside the rest.
#
# The fuzz gets its own test database on the same PostgreSQL and no Redis (the SQL
# ranking store, in-process cache and channel layer): what it checks is the API's
# answers, and it must not publish board changes to the other process's live tests.
# Extra arguments go to the main run.
set -uo pipefail
py=${PYTHON:-.venv/bin/python}
fuzz_log=$(mktemp)
trap 'rm -f "$fuzz_log"' EXIT

DATABASE_URL="${DATABASE_URL%/*}/thidua_fuzz" REDIS_URL= \
  nice -n 19 "$py" -m pytest tests/test_api_fuzz.py -q -p no:cacheprovider >"$fuzz_log" 2>&1 &
fuzz=$!

# The rest over a pytest-xdist worker per core (each with its own test database and
# Redis, tests/parallel.py); an idle worker takes tests queued for the other
# (worksteal), so one long module does not leave a core waiting. The deployment
# drills run under `make drills` only (README, "Drills").
"$py" -m pytest -n "${TEST_WORKERS:-$(nproc)}" --dist worksteal \
  --ignore=tests/test_api_fuzz.py --ignore=tests/deploy/test_drills.py "$@"
main=$?

wait "$fuzz"
fuzzed=$?
echo "--- API fuzz (tests/test_api_fuzz.py, its own process) ---"
cat "$fuzz_log"
exit $((main != 0 ? main : fuzzed))
