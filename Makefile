# Discriminamómetro — make install | run | test | test-all | bench | lint
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# uv installs the requirements in seconds where pip takes about a minute. It is pinned and pip installs
# it into the venv. uv reads UV_DEFAULT_INDEX (or UV_INDEX_URL), not pip.conf, for a package mirror.
UV_VERSION := 0.13.9
UV_INSTALL := $(BIN)/uv pip install --quiet --python $(BIN)/python

.PHONY: install install-dev run test test-all bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.uv-$(UV_VERSION): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	touch $@

# Python compiles what a process imports when it first does, so `make run` does not wait for all of
# site-packages to be compiled (about 15 s of CPU).
$(VENV)/.runtime: requirements.txt | $(VENV)/.uv-$(UV_VERSION)
	$(UV_INSTALL) -r requirements.txt
	touch $@

# Compiled ahead here, as pip does: the tests start many processes, and where PYTHONDONTWRITEBYTECODE
# is set each of them would compile again, at every start, everything it imports. uv compiles what it
# installs: --reinstall (from its cache) has it compile the runtime packages too.
$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime | $(VENV)/.uv-$(UV_VERSION)
	$(UV_INSTALL) --compile-bytecode --reinstall -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime

install-dev: $(VENV)/.dev

## The embedded default: SQLite, local storage, filesystem broker; web + worker + beat.
## manage.py, wsgi and Celery default to the production settings; `make run` asks for the embedded ones.
## Django's system checks run once, in the web process (they import every view, which its first page
## needs anyway), not in the steps before it. run_embedded runs honcho (Procfile.dev), prints the
## addresses and sign-ins once web and worker answer, and stops on Ctrl-C.
run: export DJANGO_SETTINGS_MODULE ?= discriminamometro.settings.base
# Where PYTHONDONTWRITEBYTECODE is set, every process compiles again, at each start, all it imports
# (twice the start-up time of web, worker and beat): make run lets Python keep that bytecode, in
# .venv/pycache rather than beside the sources.
ifneq ($(PYTHONDONTWRITEBYTECODE),)
run: export PYTHONDONTWRITEBYTECODE :=
run: export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache
endif
run: install
	@echo "Preparando la base de datos…"
	@$(BIN)/python manage.py migrate --noinput --verbosity 0 --skip-checks
	@echo "Cargando la demostración…"
	@$(BIN)/python manage.py load_demo --skip-checks
	@$(BIN)/python manage.py ensure_admin --skip-checks
	@echo "Arrancando web, worker y beat…"
	@$(BIN)/python manage.py run_embedded

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
	$(BIN)/python benchmarks/bluesky.py
	$(BIN)/python benchmarks/robustness.py
	$(BIN)/python benchmarks/score.py
	$(BIN)/python benchmarks/backfill.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/quality.py --task toxicity
	$(BIN)/python benchmarks/generalization.py
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/labeling.py
	$(BIN)/python benchmarks/dashboard.py
	$(BIN)/python benchmarks/alerts.py

## Style, types, and the import floors (pyproject's [tool.importlinter]; docs/architecture.md).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-logo

## The embedded database and what belongs to it: its broker, its archive, the admin's and annotators' passwords.
clean:
	rm -rf var/db.sqlite3* var/broker var/archive var/admin-password.txt var/demo-annotators.txt
