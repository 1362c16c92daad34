# AIA: developer and CI entry points. The logic lives in scripts/; this file only wires it up.
# GNU make. `make` (or `make help`) lists the targets.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PIP := $(PY) -m pip install --disable-pip-version-check --quiet

# Extra arguments for both pytest runs of `make test`, e.g. make test PYTEST_ARGS="-k report -x"
PYTEST_ARGS ?=
# The password seed_demo gives the demo users (`make run`). Overridable from the environment.
AIA_DEMO_PASSWORD ?= demo-password-2026
export AIA_DEMO_PASSWORD
RUNSERVER_ADDR ?= 127.0.0.1:8000

# Debian packages: WeasyPrint's native libraries and fonts (DejaVu for the report's own text;
# for the scripts DejaVu lacks, Noto for Burmese, Ethiopic and most others, and WenQuanYi Micro
# Hei for Chinese, Japanese and Korean); tests also need pdftotext/pdfinfo, the
# PostgreSQL/Redis binaries for the throwaway servers (never the system services), and
# Chromium for the browser tests (Playwright drives Debian's build; it downloads none), and
# curl and jq for the README's API walk-through, which a test runs, and systemd's
# systemd-analyze, which checks the worker's and beat's units in docs/deployment.md.
APT_RUNTIME := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	fonts-noto-core fonts-wqy-microhei
APT_TEST := $(APT_RUNTIME) poppler-utils postgresql redis-server chromium curl jq systemd

# pip runs again only when a requirements file is newer than its stamp.
STAMP_RUNTIME := $(VENV)/.stamp-requirements
STAMP_DEV := $(VENV)/.stamp-requirements-dev
# npm writes this file on every install; `npm ci` runs again only when the lock file is newer.
STAMP_NODE := node_modules/.package-lock.json

MANAGE_LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local $(PY) manage.py
MANAGE_TEST := DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite://:memory: $(PY) manage.py

.PHONY: help run test lint format migrations-check clean docs-diagram \
	system-packages system-packages-test venv venv-dev assets

help: ## Show this help
	@echo "Usage: make <target> [PYTEST_ARGS=...] [AIA_DEMO_PASSWORD=...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# ------------------------------------------------------------------------------------------------
# Installation (idempotent)
# ------------------------------------------------------------------------------------------------
system-packages: ## Install WeasyPrint's Debian libraries if missing
	@bash scripts/bootstrap.sh apt $(APT_RUNTIME)

system-packages-test: ## Install the Debian packages the tests need if missing
	@bash scripts/bootstrap.sh apt $(APT_TEST)

$(PY):
	@bash scripts/bootstrap.sh venv "$(PYTHON)" "$(VENV)"

$(STAMP_RUNTIME): requirements.txt | $(PY)
	$(PIP) -r requirements.txt
	@touch $@

$(STAMP_DEV): requirements-dev.txt requirements.txt | $(PY)
	$(PIP) -r requirements-dev.txt
	@touch $@ $(STAMP_RUNTIME)

venv: $(STAMP_RUNTIME) ## Create .venv with the runtime requirements
venv-dev: $(STAMP_DEV) ## Create .venv with the development requirements

# GOV.UK Frontend's prebuilt assets (no Sass build) and axe-core, exactly as package-lock.json says.
$(STAMP_NODE): package.json package-lock.json
	@command -v npm >/dev/null || bash scripts/bootstrap.sh apt nodejs npm
	npm ci --no-audit --no-fund
	@touch $@

assets: $(STAMP_NODE) ## Install the front-end assets into node_modules/ (npm ci)

# ------------------------------------------------------------------------------------------------
# Everyday targets
# ------------------------------------------------------------------------------------------------
run: system-packages $(STAMP_RUNTIME) assets ## Install, migrate, seed the demo data and serve on 127.0.0.1:8000
	$(MANAGE_LOCAL) migrate --noinput
	$(MANAGE_LOCAL) seed_demo --password "$$AIA_DEMO_PASSWORD"
	$(MANAGE_LOCAL) runserver $(RUNSERVER_ADDR)

test: system-packages-test $(STAMP_DEV) assets ## Lint, migrations check, pytest on PostgreSQL, smoke on SQLite
	@bash scripts/test.sh $(PYTEST_ARGS)

lint: $(STAMP_DEV) ## ruff check + ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_DEV) ## Sort imports and format the code (ruff)
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

migrations-check: $(STAMP_DEV) ## Fail if a model change has no migration
	$(MANAGE_TEST) makemigrations --check --dry-run

docs-diagram: $(STAMP_RUNTIME) ## Regenerate the state diagram in README.md
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) scripts/update_readme_diagram.py

clean: ## Remove var/, collected static files and caches (keeps .venv)
	@if [ -f var/services.env ]; then bash scripts/services.sh stop; fi
	rm -rf var/ staticfiles/ .pytest_cache/ .ruff_cache/
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
