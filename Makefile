# One command to run the portal with its manual, one to run the tests (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app demo
HOST ?= 127.0.0.1
PORT ?= 8000
# The address people type (e-mails and the manual link to it); empty: derived from HOST.
PUBLIC_URL ?=

# Where `make docs` writes the manual (the tests build theirs elsewhere: DOCS_BUILD=...).
DOCS_BUILD ?= docs/_build
SPHINX := $(VENV)/bin/sphinx-build -q -W --keep-going -d $(DOCS_BUILD)/doctrees

.PHONY: setup run dev instance test lint db docs capturas clean

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
	$(FLASK) init-db

# Where this installation is served, written to instance/portal.toml (demo mode): the server,
# the CLI and the manual's build all read it.
instance: setup
	$(FLASK) configurar-instancia --host $(HOST) --port $(PORT) --endereco "$(PUBLIC_URL)"

# The production server (gunicorn, conf/portal.toml's SERVER_*) and the background process
# that delivers e-mail. A trainer serves the room with `make run HOST=0.0.0.0`.
run: instance db docs
	$(FLASK) servir --host $(HOST) --port $(PORT)

# Flask's development server with the debugger, for debugging only (no e-mail delivery:
# run `$(FLASK) enviar-emails` by hand).
dev: instance db
	$(FLASK) run --host $(HOST) --port $(PORT) --debug

# The manual, served at /manual/ by `make run`: HTML, EPUB, and one page (also printed to PDF by
# Chromium, when there is one: see docs/_ext/manual_pdf.py).
docs: setup
	$(SPHINX) -b html docs $(DOCS_BUILD)/html
	$(SPHINX) -b epub docs $(DOCS_BUILD)/epub
	$(SPHINX) -b singlehtml docs $(DOCS_BUILD)/singlehtml

# Replay every step of the manual in Chromium and rewrite the figures in docs/_imagens/.
capturas: setup
	$(VENV)/bin/sphinx-build -d docs/_build/doctrees-passos -b passos-captura docs docs/_build/passos

# Both cores (pytest-xdist): each worker has its own PostgreSQL database (tests/conftest.py),
# the manual is built once for the run, and the tests that read it share one worker.
TEST_WORKERS ?= auto
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=12

lint: setup
	$(VENV)/bin/ruff check demo tests docs/_ext bench
	$(VENV)/bin/ruff format --check demo tests docs/_ext bench

clean:
	rm -rf $(VENV) node_modules instance docs/_build .pytest_cache
