# The two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint bench bench-scale deploy-test drills messages venv node services validator clean

# uv installs the pinned requirements into the venv in about 15 s where pip took 53 s
# (a new machine, no cache); pip stays the fallback if uv cannot be had. Compiled
# now, as pip does: this machine sets PYTHONDONTWRITEBYTECODE, so a module left
# uncompiled is compiled again by every process that imports it (manage.py check:
# 1.82 s against 1.50 s).
UV_VERSION := 0.13.8
# And the project's own modules, with pytest's rewritten test modules, are cached in
# __pycache__ by the first process that imports them, not compiled again by every
# one: a Django process started 0.5 s sooner (manage.py check 1.8 s against 2.3 s),
# and a pytest process about 2.2 s sooner. The variable only stops the writing.
unexport PYTHONDONTWRITEBYTECODE
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	( $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) \
	  && $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) \
	     -r requirements-dev.txt ) \
	|| $(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

# The Open Badges 2.0 reference validator's own venv (its old pins clash with ours).
# Best effort: should PyPI be out of reach, only the validator's tests fail (their
# fixture tries again), not the whole of `make test` before it starts.
validator:
	-scripts/openbadges-venv.sh

# Redis, PostgreSQL, Chromium, nginx and LibreOffice, with apt-get if missing
services:
	scripts/install-services.sh

## make run: install, migrate, demo data, then serve on http://$(HOST):$(PORT)
## A demo on this machine (DEMO=1): DEBUG off, so a visitor gets the platform's own
## error pages, never Django's debug page; `make run RUN_ENV=DEBUG=1` for developers.
RUN_ENV ?= DEBUG=0 DEMO=1
run: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C stops)"
	$(RUN_ENV) $(PY) -m config.server -b $(HOST) -p $(PORT) config.asgi:application

## make test: Django's deploy check on .env.example's production settings, then the
## whole suite against throwaway PostgreSQL and Redis, in a real browser
# The four installs run side by side: on a new machine the downloads overlap, and
# the validator's venv (9-36 s) no longer holds up a test worker.
test:
	@$(MAKE) --no-print-directory -j4 venv node services validator
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/check_deploy.py
	REQUIRE_SERVICES=1 PYTHON=$(PY) scripts/with-services.sh scripts/run-suite.sh $(PYTEST_ARGS)

## make deploy-test: the deployment of deploy/ on this machine (real nginx with TLS in
## front of two workers, PostgreSQL, Redis) and its browser journey; `make test` runs it too
deploy-test: venv node
	REQUIRE_SERVICES=1 scripts/with-services.sh $(PY) -m pytest tests/deploy $(PYTEST_ARGS)

## make drills: the bad-input drills at full size (200 sockets through nginx during
## an nginx reload storm and a PostgreSQL restart; a worker killed mid-award; Redis
## back empty and failing over to a replica; a backup restored onto this release),
## printing their figures. `make test` runs all but tests/deploy/test_drills.py (a
## deployment of its own and nginx's 10 s shutdown timeout: about 30 s of a worker).
drills: venv node
	DRILL_CLIENTS=$${DRILL_CLIENTS:-200} REQUIRE_SERVICES=1 scripts/with-services.sh $(PY) -m pytest -s -p no:cacheprovider tests/deploy/test_drills.py tests/leaderboards/test_drills.py tests/competitions/test_backup_restore.py $(PYTEST_ARGS)

## make test-fast: the suite on SQLite without services (browser and service tests skip)
test-fast: venv
	$(PY) -m pytest -m "not services and not browser" $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache

## make messages: refresh the Vietnamese catalogue after changing UI text
messages: venv
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=node_modules --ignore=scripts --ignore=tests
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3* test_db.sqlite3* staticfiles

## make bench: the leaderboard benchmark on throwaway PostgreSQL and Redis (table + JSON)
bench: venv
	PG_DURABLE=1 scripts/with-services.sh $(PY) -m bench $(BENCH_ARGS)

## make bench-scale: nginx + two workers, 10,000 sockets, the micro-cache, the Redis
## script ceiling and a two-shard Redis Cluster (needs nginx, ab: installed if missing;
## the sockets are Node clients of the `ws` package, installed by npm ci)
## (REDIS_SOCKET_TIMEOUT 5 s: on a loaded machine the 0.25 s of production timed out
## every batch, and an award left waiting is not counted as made)
bench-scale: venv node
	command -v ab >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends apache2-utils >/dev/null)
	PG_DURABLE=1 REDIS_SOCKET_TIMEOUT=$${REDIS_SOCKET_TIMEOUT:-5} scripts/with-services.sh $(PY) -m bench --only scale --people 200000 --units 4000 $(BENCH_ARGS)
