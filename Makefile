# Two commands for a newcomer: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_HOME ?= demo-output

# checkov (the Bicep policy scan in tests/functions/test_infra.py) is large: it lives in its own
# venv. Azurite (the Azure Storage emulator the Functions tests start) comes from npm.
CHECKOV_VERSION := 3.3.30
CHECKOV_STAMP := .venv-checkov/.installed
AZURITE_VERSION := 3.35.0
AZURITE := .tools/node_modules/azurite/dist/src/azurite.js

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(CHECKOV_STAMP):
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/python -m pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $(CHECKOV_STAMP)

# Without npm the Functions tests skip with a message saying so (CI installs Node).
$(AZURITE):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix .tools --no-audit --no-fund --silent azurite@$(AZURITE_VERSION); \
	else echo "npm not found: the Azure Functions tests will be skipped (install nodejs and npm)" >&2; fi

demo: $(STAMP)
	$(BIN)/auditdesk --home $(DEMO_HOME) demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# pytest exits 5 when it collected no tests: Audit Desk always has tests, so say so and fail.
unit: $(STAMP) $(CHECKOV_STAMP) $(AZURITE)
	$(BIN)/pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "pytest collected no tests: failing" >&2; exit $$rc; }

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .venv-checkov .tools $(DEMO_HOME) .mypy_cache .pytest_cache .ruff_cache .hypothesis .benchmarks
