# Discriminamómetro — make install | run | test | test-all | bench | lint
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install install-dev run test test-all bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

install-dev: $(VENV)/.dev

## The embedded default: SQLite, local storage, filesystem broker; web + worker + beat.
## manage.py, wsgi and Celery default to the production settings; `make run` asks for the embedded ones.
run: export DJANGO_SETTINGS_MODULE ?= discriminamometro.settings.base
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py ensure_admin
	@echo "Discriminamómetro en http://127.0.0.1:8000  (Ctrl-C detiene todo)"
	$(BIN)/honcho start -f Procfile.dev

## The suite without the browser and worker tests. It brings up its own throwaway PostgreSQL and Redis
## (installing them with apt-get when it may) unless TEST_DATABASE_URL / TEST_REDIS_URL name running ones.
test: install-dev
	$(BIN)/python -m pytest -m "not browser and not worker"

## Every test, the browser (Debian's Chromium) and Celery worker ones included: what CI runs.
test-all: install-dev
	$(BIN)/python -m pytest

## Speed measurements (benchmarks/), on PostgreSQL. Prints what it measured and on what data.
bench: install-dev
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/robustness.py
	$(BIN)/python benchmarks/score.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/quality.py --task toxicity
	$(BIN)/python benchmarks/generalization.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/labeling.py
	$(BIN)/python benchmarks/dashboard.py

## Style, types, and the import floors (pyproject's [tool.importlinter]; docs/architecture.md).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-logo

clean:
	rm -rf var/db.sqlite3* var/broker var/archive
