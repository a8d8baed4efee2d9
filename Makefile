# Gongdan developer entry points. On a fresh checkout, `make run` and `make test` set everything up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
RUFF := $(VENV)/bin/ruff
PYTEST_WORKERS ?= 2

# Stamps are named after a hash of their inputs: a changed pyproject.toml or package lock reinstalls,
# an unchanged one is skipped (a second `make run` starts in seconds).
hash = $(shell cat $(1) 2>/dev/null | sha256sum | cut -c1-16)
DEPS_STAMP := $(VENV)/.stamp-deps-$(call hash,pyproject.toml)
NPM_STAMP := node_modules/.stamp-npm-$(call hash,package.json package-lock.json)
VENDOR_STAMP := gongdan/static/vendor/.stamp-$(call hash,package-lock.json scripts/vendor-assets.sh)
VAR_DIR := $(or $(GONGDAN_VAR_DIR),var)
BENCH_STAMP := $(VENV)/.stamp-bench-$(call hash,pyproject.toml)

.PHONY: help setup system-deps deps assets messages run test lint fmt demo-reset bench bench-full bench-deps

help:
	@echo "make run         set up .venv, npm assets, translations, database and demo data; run web + worker"
	@echo "make test        set up, then ruff, Django checks, migration check and pytest (-n $(PYTEST_WORKERS))"
	@echo "make lint        ruff check + ruff format --check"
	@echo "make fmt         ruff format + ruff check --fix"
	@echo "make demo-reset  drop the SQLite database ($(VAR_DIR)/gongdan.sqlite3) and load the demo again"
	@echo "make bench       benchmark on PostgreSQL with 100k tickets (≤ 10 min; reuses a loaded gongdan_bench)"
	@echo "make bench-full  the same with 1M tickets; results in bench/results/ (docs/performance.md)"
	@echo "DATABASE_URL=postgres://… switches every target from SQLite to PostgreSQL."

setup: deps assets messages

deps: $(DEPS_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(DEPS_STAMP): | $(PY)
	@echo "Installing gongdan with its dev extras into $(VENV)…"
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@# The editable install leaves build metadata in the tree; the installed copy lives in .venv.
	@rm -rf gongdan.egg-info $(VENV)/.stamp-deps-*
	@touch $@

assets: $(VENDOR_STAMP)

$(NPM_STAMP):
	@echo "Installing front-end assets from package-lock.json…"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Vendored files are all the app needs: with a fresh stamp, node_modules/ is not even looked at.
$(VENDOR_STAMP):
	@$(MAKE) --no-print-directory $(NPM_STAMP)
	scripts/vendor-assets.sh
	@touch $@

messages: deps
	@scripts/compile-messages.sh

run: setup
	scripts/run.sh

system-deps:
	@scripts/system-deps.sh

test: system-deps setup
	$(RUFF) check .
	$(RUFF) format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

lint: deps
	$(RUFF) check .
	$(RUFF) format --check .

fmt: deps
	$(RUFF) format .
	$(RUFF) check --fix .

demo-reset: setup
	@case "$${DATABASE_URL:-sqlite}" in sqlite*) ;; \
	  *) echo "demo-reset drops the SQLite file only; unset DATABASE_URL (points at $${DATABASE_URL%%:*})" >&2; exit 1;; \
	esac
	rm -f $(VAR_DIR)/gongdan.sqlite3 $(VAR_DIR)/gongdan.sqlite3-wal $(VAR_DIR)/gongdan.sqlite3-shm
	rm -f $(VAR_DIR)/huey.sqlite3 $(VAR_DIR)/huey.sqlite3-wal $(VAR_DIR)/huey.sqlite3-shm
	rm -rf $(VAR_DIR)/media/attachments
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo
	@$(MANAGE) load_demo --logins

# The benchmark needs PostgreSQL and Redis (127.0.0.1); GONGDAN_BENCH_DATABASE_URL names another gongdan_bench* db.
bench-deps: $(BENCH_STAMP)

$(BENCH_STAMP): $(DEPS_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	@rm -rf gongdan.egg-info $(VENV)/.stamp-bench-*
	@touch $@

bench: setup bench-deps
	$(PY) -m bench.run --size quick

bench-full: setup bench-deps
	$(PY) -m bench.run --size full
