# Two commands: `make run` (set up everything and serve the demo) and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Prefer an explicit 3.12+ interpreter; pyenv honours .python-version.
FOUND_PYTHON := $(shell for p in python3 python3.12 python3.13; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
  && { command -v $$p; break; }; done)
PYTHON ?= $(or $(FOUND_PYTHON),python3)
PYTEST_ARGS ?=
PORT ?= 8000
export DJANGO_DEBUG ?= 1

.PHONY: run test test-all e2e bench bench-pages lint format check-python install migrate demo worker clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "Python >= 3.12 est requis ($(PYTHON) est en version $$($(PYTHON) -c 'import platform; print(platform.python_version())')). Installez Python 3.12 (pyenv install 3.12) ou indiquez-le : make PYTHON=/chemin/vers/python3.12 run"; \
	  exit 1; }

$(PY): | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_full_demo

# The server and the background worker (imports), under one process manager:
# Procfile.dev, run by honcho; Ctrl-C stops both.
run: demo
	@echo "Serveur : http://127.0.0.1:$(PORT), avec les tâches de fond (Ctrl-C arrête les deux)"
	PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) $(BIN)/honcho --procfile Procfile.dev start

worker: install
	$(PY) manage.py db_worker

# Fast suite: everything but the browser and benchmark tests.
test: install
	$(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# Browser (Playwright + axe) and slow tests only.
e2e: install
	$(BIN)/pytest -q -p no:cacheprovider -m slow $(PYTEST_ARGS)

test-all: install
	$(BIN)/pytest -q -p no:cacheprovider -m "" $(PYTEST_ARGS)

bench: install bench-pages
	$(PY) bench/run.py

# Page latency at national scale (gunicorn + wrk): see bench/pages.py.
bench-pages: install
	$(PY) bench/pages.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
