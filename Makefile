# Zhiben: `make run` brings up the platform with the demo district; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SCALE ?= district
SEED ?= 1

.PHONY: run test lint bench load install system-deps check pytest smoke demo clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed system-deps

# Debian packages the platform needs: CJK fonts for PDFs, poppler for page checks, Chromium for browser tests.
system-deps:
	@bash scripts/system-deps.sh

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py seed_demo --scale $(SCALE) --seed $(SEED)
	PORT=$(PORT) bash scripts/serve.sh

demo: install
	$(PY) manage.py seed_demo --scale $(SCALE) --seed $(SEED)

check: $(VENV)/.installed
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check zhiben bench
	$(VENV)/bin/ruff format --check zhiben bench
	$(VENV)/bin/mypy zhiben/core $$(ls -d zhiben/*/services.py zhiben/*/services 2>/dev/null)

pytest: $(VENV)/.installed
	$(VENV)/bin/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# A one-minute working day (20 users) against gunicorn + the worker on the database the tests use: any failed
# request fails the test (bench/load/run.py --smoke).
smoke: $(VENV)/.installed
	$(PY) bench/load/run.py --smoke

test: install check lint pytest smoke

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# A working day: 100 users for 10 minutes against gunicorn + PostgreSQL + Redis started here (bench/load/run.py).
load: install
	$(PY) bench/load/run.py $(LOAD_ARGS)

clean:
	rm -rf var/zhiben.sqlite3* var/jobs.sqlite3* var/media var/test-media
