#!/usr/bin/env bash
# The Open Badges 2.0 reference validator (the `openbadges` package, 1EdTech) in a
# venv of its own under .cache/openbadges-venv: its old pins clash with ours, and on
# Python 3.11 it imports only after the second line's upgrade. Built once; `make
# test` builds it beside its other installs, tests/browser/test_badge_validator.py
# when run alone.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/openbadges-venv
mkdir -p .cache
# Two test workers may both want it: one builds, the other waits.
exec 9>.cache/openbadges-venv.lock
flock 9
[ -e "$venv/.ready" ] && exit 0
rm -rf "$venv"
"${PYTHON:-python3}" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" openbadges==1.1.2
"${pip[@]}" -U pycryptodome python-jose pytz responses
echo "openbadges 1.1.2" >"$venv/.ready"
