# Two commands: `make run` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= 8000

.PHONY: run test lint typecheck contracts clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(DEV_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP) $@

run: $(STAMP)
	$(BIN)/seikyu migrate
	$(BIN)/seikyu serve --port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

contracts: $(DEV_STAMP)
	$(BIN)/lint-imports

test: lint typecheck contracts
	$(BIN)/pytest -n 2

bench: $(DEV_STAMP)
	$(BIN)/python bench/run_customers.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
