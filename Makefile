# JoinedUp: `make run` to start the demo service, `make test` for the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv

.PHONY: help run test test-unit test-sqlite test-postgres test-e2e lint typecheck architecture-check check clean-db

help:
	@echo "make run    start JoinedUp on http://$(HOST):$(PORT) with a seeded demo borough (SQLite)"
	@echo "make test   run the whole suite: lint, types, unit, SQLite, PostgreSQL and browser tests"

# uv itself, when the machine has none: a private virtual environment under .tools/.
$(CURDIR)/.tools/bin/uv:
	@echo "Installing uv into .tools/ (one time)..."
	@$(PYTHON) -m venv .tools || { echo "python3 -m venv failed: on Debian/Ubuntu run 'sudo apt-get install -y python3-venv'"; exit 1; }
	@.tools/bin/pip install --quiet --disable-pip-version-check uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	@$(UV) sync --frozen --quiet
	@touch $@

run: .venv/.synced
	@mkdir -p var
	@$(RUN) joinedup migrate --noinput -v 0
	@$(RUN) joinedup seed-demo --if-empty
	@$(RUN) joinedup demo-accounts --summary --url http://$(HOST):$(PORT)/sign-in/
	@echo "JoinedUp is starting on http://$(HOST):$(PORT)/ (Ctrl-C to stop); deadlines are checked every minute"
	@$(RUN) joinedup tick --every 60 -v 0 & tick=$$!; \
	  trap 'kill $$tick 2>/dev/null' EXIT INT TERM; \
	  $(RUN) joinedup runserver $(HOST):$(PORT) --noreload

test: .venv/.synced
	@scripts/test-all

test-unit: .venv/.synced
	@$(RUN) pytest -q tests/unit

test-sqlite: .venv/.synced
	@$(RUN) pytest -q -m "not e2e and not durability" tests

test-postgres: .venv/.synced
	@scripts/with-postgres $(RUN) pytest -q -m "not e2e" tests/integration

test-e2e: .venv/.synced
	@$(RUN) pytest -q -m e2e tests/e2e

lint: .venv/.synced
	@$(RUN) ruff check joinedup tests bench
	@$(RUN) ruff format --check joinedup tests bench

typecheck: .venv/.synced
	@$(RUN) mypy joinedup

architecture-check: .venv/.synced
	@$(RUN) lint-imports

check: lint typecheck architecture-check

clean-db:
	rm -f var/joinedup.sqlite3 var/joinedup.sqlite3-wal var/joinedup.sqlite3-shm
