# Two commands matter: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run serve test lint format screenshots bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/halcrm board --demo $(ARGS)

serve: $(STAMP)
	$(BIN)/halcrm serve $(ARGS)

test: $(STAMP)
	scripts/run-tests.sh $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check halcrm tests scripts bench
	$(BIN)/ruff format --check halcrm tests scripts bench
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format halcrm tests scripts bench
	$(BIN)/ruff check --fix halcrm tests scripts bench

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

bench: $(STAMP)
	$(BIN)/python -m bench --write docs/performance.md $(ARGS)

# The site, checked strictly (a broken page or link fails); build/ is git-ignored.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache build/site
