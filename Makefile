# Two commands a newcomer needs: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 5000
EMULATOR_PORT ?= 8090

.PHONY: run test lint setup chromium axe postgres bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

chromium:
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# axe-core (npm) for the browser tests' accessibility checks, pinned, into a folder of its own.
AXE := .cache/axe/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --prefix .cache/axe --no-audit --no-fund --silent axe-core@4.14.1

axe: $(AXE)

run: setup
	$(PY) scripts/run_local.py --port $(PORT) --emulator-port $(EMULATOR_PORT) $(if $(VERBOSE),--verbose)

# Seconds with a warm cache: ruff (pyflakes, pycodestyle, import order) and mypy, configured in pyproject.toml.
LINTED := app.py wsgi.py bot rules models handlers scheduler
lint: setup
	$(PY) -m ruff check --quiet $(LINTED)
	$(PY) -m mypy

test: setup chromium axe lint
	@url=$$(scripts/ensure_postgres.sh) && \
	  TEST_DATABASE_URL=$$url $(PY) -m pytest -q $(PYTEST_ARGS)

# About 15 minutes on 2 cores; `make bench BENCH_ARGS=--quick` for a short look. Writes bench/RESULTS.md.
bench: setup
	@url=$$(scripts/ensure_postgres.sh) && TEST_DATABASE_URL=$$url $(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
