# One command to run the portal with its manual, one to run the tests (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app demo
PORT ?= 8000
# The portal as `make run` serves it: development cookies, demo mode (outbox page), local URLs.
RUN_ENV := PORTAL_ENVIRONMENT=development PORTAL_DEMO_MODE=true \
	PORTAL_SUPPORT_SITE_URL=http://127.0.0.1:$(PORT) PORTAL_MAPA_SITE_URL=http://127.0.0.1:$(PORT)/mapa

.PHONY: setup run test lint db clean

setup: $(VENV)/.instalado node_modules/.instalado

$(VENV)/.instalado: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[docs,test]"
	touch $@

node_modules/.instalado: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

db: setup
	$(RUN_ENV) $(FLASK) init-db

run: db
	@echo "Portal em http://127.0.0.1:$(PORT)/  (site mapa: http://127.0.0.1:$(PORT)/mapa/)"
	$(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT) --no-debugger --no-reload

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check demo tests docs/_ext bench
	$(VENV)/bin/ruff format --check demo tests docs/_ext bench

clean:
	rm -rf $(VENV) node_modules instance docs/_build .pytest_cache
