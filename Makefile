# cxmap: `make demo` builds and renders the demo workspace; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   ?= demo

.PHONY: demo test lint typecheck pytest install install-test system-deps node-deps docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cxmap needs Python 3.11 or newer (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test,spark]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian packages the tests and PNG rendering need, installed only when missing (Java 17 runs Spark).
system-deps:
	@bash scripts/ensure-apt.sh chromium:/usr/bin/chromium fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf nodejs:node npm:npm openjdk-17-jre-headless:java

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node-deps: system-deps node_modules/.package-lock.json

demo: install
	@bash scripts/ensure-apt.sh fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
	@PATH="$(CURDIR)/$(BIN):$$PATH" PYTHON_BIN="$(CURDIR)/$(BIN)/python" bash scripts/demo.sh $(DEMO)

lint: install-test
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/lint-imports --no-cache

typecheck: install-test
	$(BIN)/mypy

pytest: install-test node-deps
	$(BIN)/pytest -q

test: lint typecheck pytest

docs: install
	$(BIN)/python -m cxmap.cli.docs cli > docs/cli.md
	$(BIN)/python -m cxmap.cli.docs config > docs/configuration.md
	$(BIN)/python -m cxmap.cli.docs format > docs/map-format.md

clean:
	rm -rf $(VENV) node_modules $(DEMO) .pytest_cache .mypy_cache .ruff_cache
