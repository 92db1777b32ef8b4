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

# Where `make docs` writes the manual (the tests build theirs elsewhere: DOCS_BUILD=...).
DOCS_BUILD ?= docs/_build
SPHINX := $(VENV)/bin/sphinx-build -q -W --keep-going -d $(DOCS_BUILD)/doctrees

.PHONY: setup run test lint db docs capturas clean

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

run: db docs
	@echo "Portal em http://127.0.0.1:$(PORT)/  (site mapa: http://127.0.0.1:$(PORT)/mapa/)"
	$(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT) --no-debugger --no-reload

# The manual, served at /manual/ by `make run`: HTML, EPUB, and one page (also printed to PDF by
# Chromium, when there is one: see docs/_ext/manual_pdf.py).
docs: setup
	$(SPHINX) -b html docs $(DOCS_BUILD)/html
	$(SPHINX) -b epub docs $(DOCS_BUILD)/epub
	$(SPHINX) -b singlehtml docs $(DOCS_BUILD)/singlehtml

# Replay every step of the manual in Chromium and rewrite the figures in docs/_imagens/.
capturas: setup
	$(VENV)/bin/sphinx-build -d docs/_build/doctrees-passos -b passos-captura docs docs/_build/passos

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check demo tests docs/_ext bench
	$(VENV)/bin/ruff format --check demo tests docs/_ext bench

clean:
	rm -rf $(VENV) node_modules instance docs/_build .pytest_cache
