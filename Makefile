# The README's commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check schema migrations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Serve the dashboard (/) and GraphQL + GraphiQL (/graphql) on SQLite (./billgraph.sqlite3) at http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/billgraph serve

## Run the whole suite in two processes: SQLite, and PostgreSQL when reachable (required under CI=true)
test: $(STAMP)
	$(BIN)/pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

## Rewrite schema.graphql from the code (a test fails while it is stale)
schema: $(STAMP)
	$(BIN)/python -c "from billgraph.schema import export_sdl; print(export_sdl(), end='')" > schema.graphql

## After changing models: make migrations NAME=add_something (needs local PostgreSQL)
migrations: $(STAMP)
	$(BIN)/billgraph db make-migrations $(NAME)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
