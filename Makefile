# modelmetrics: `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RAW ?= raw
OUT ?= outputs

.DEFAULT_GOAL := help
.PHONY: help build test check lint format typecheck bench query notebook clean-venv

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

build: $(STAMP) ## Create .venv, install the pinned dependencies, build outputs/ from raw/
	$(BIN)/modelmetrics build --raw $(RAW) --out $(OUT)

test: $(STAMP) ## Run the test suite (two worker processes)
	$(BIN)/python -m pytest -n 2

check: $(STAMP) ## Lint, format check and type check
	$(BIN)/ruff check pipeline schemas tests benchmarks
	$(BIN)/ruff format --check pipeline schemas tests benchmarks
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix pipeline schemas tests benchmarks
	$(BIN)/ruff format pipeline schemas tests benchmarks

bench: $(STAMP) ## Build a synthetic 1,000,000-row corpus and print throughput figures
	$(BIN)/python -m benchmarks.run

query: $(STAMP) ## Run SQL against the dataset: make query SQL="SELECT * FROM leaderboard LIMIT 5"
	$(BIN)/modelmetrics query "$(SQL)"

notebook: $(STAMP) ## Open notebooks/explore.ipynb in JupyterLab (installs its pinned set once)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-notebook.lock
	$(BIN)/jupyter lab notebooks/explore.ipynb

clean-venv: ## Remove the virtual environment
	rm -rf $(VENV)
