# The caseload planner. `make run` serves it with demo data; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app planner
HOST ?= 127.0.0.1
PORT ?= 5000
SCALE ?= london
SEED ?= 1
# `make run` serves plain http://, so its session cookie cannot be HTTPS-only and it sends no
# HSTS; outside development both are on (planner/config.py).
LOCAL_HTTP := FLASK_SESSION_COOKIE_SECURE=false FLASK_HSTS_MAX_AGE=0

.PHONY: help run test database lint system-deps clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: $(VENV)/.run database assets  ## Set up, load the demo data once, and serve on http://127.0.0.1:5000
	$(FLASK) demo-account
	@echo "Serving the caseload planner on http://$(HOST):$(PORT), with a job worker (Ctrl+C stops both)"
	@$(FLASK) jobs worker --threads 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(LOCAL_HTTP) $(VENV)/bin/waitress-serve --host $(HOST) --port $(PORT) --threads 8 --call planner:create_app

# Every test runs on SQLite; then those that use a database (tests/planner, tests/browser) run
# again with each app on its own PostgreSQL database (tests/databases.py), as production does.
test: system-deps $(VENV)/.test assets lint  ## Set up everything and run the linters and every test, on SQLite and on PostgreSQL
	$(VENV)/bin/pytest
	PLANNER_TEST_DATABASE=postgresql $(VENV)/bin/pytest tests/planner tests/browser

database: $(VENV)/.run instance/config.py  ## Apply the migrations and load the demo data if the database is empty
	$(FLASK) db upgrade
	$(FLASK) demo-data --scale $(SCALE) --seed $(SEED) --if-empty

lint: $(VENV)/.test  ## Check the style of the Python code
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

$(VENV)/.run: setup.cfg pyproject.toml
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.run
	$(PIP) install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

.PHONY: assets
assets: build/assets/planner.css  ## Install the front-end packages and build the stylesheet

build/assets/planner.css: node_modules/.package-lock.json assets/planner.scss
	npm run --silent build

instance/config.py: | $(VENV)/.run
	mkdir -p instance
	$(VENV)/bin/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@
	chmod 600 $@

# The browser tests drive Debian's Chromium; the PostgreSQL and Redis tests start throwaway servers.
system-deps:  ## Install Chromium, PostgreSQL and Redis from Debian if the machine lacks them
	@if ! command -v chromium >/dev/null || ! command -v redis-server >/dev/null \
		|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
			chromium postgresql redis-server; \
	fi

clean:  ## Remove the virtual environment, the npm packages and the built assets (keeps instance/)
	rm -rf $(VENV) node_modules build
