# Insights LMS — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app insights_lms
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
# pytest-xdist workers per pass (2: measured faster on 2 cores, see CONTRIBUTING.md);
# `make test PYTEST_WORKERS=` runs serially.
PYTEST_WORKERS ?= 2
XDIST := $(if $(PYTEST_WORKERS),-n $(PYTEST_WORKERS),)

NODE_STAMP := tests/node/node_modules/.installed

.PHONY: install node-tools demo demo-setup test test-sqlite test-postgresql lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create the virtualenv and install Insights LMS with its test tools

$(NODE_STAMP): tests/node/package.json tests/node/package-lock.json
	npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node-tools: $(NODE_STAMP) ## The test LRS and xAPI validator (npm, pinned in tests/node)

demo-setup: install ## Database, content and demo cohort (safe to run again)
	$(BIN)/python -m insights_lms.keygen
	INSIGHTS_ENV=development $(FLASK) lms init
	INSIGHTS_ENV=development $(FLASK) lms load-content
	INSIGHTS_ENV=development $(FLASK) lms demo-data

demo: demo-setup ## Serve the demo on http://127.0.0.1:$(PORT)
	@echo ""
	@echo "Insights LMS demo: open http://127.0.0.1:$(PORT) and sign in with a login above."
	@echo ""
	@if [ -n "$$INSIGHTS_LRS_ENDPOINT" ]; then \
	  INSIGHTS_ENV=development $(FLASK) lms xapi worker & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	  echo "xAPI: forwarding the demo's statements to $$INSIGHTS_LRS_ENDPOINT (lms xapi worker, pid $$worker)"; \
	  INSIGHTS_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT); \
	else \
	  INSIGHTS_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT); \
	fi

test: install node-tools ## The whole suite on SQLite, then on a PostgreSQL server it starts itself
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgresql

test-sqlite: install node-tools
	$(BIN)/pytest --db=sqlite $(XDIST) $(PYTEST_ARGS)

test-postgresql: install node-tools
	$(BIN)/pytest --db=postgresql $(XDIST) $(PYTEST_ARGS)

lint: install ## ruff check, ruff format --check, mypy, the import contracts (lint-imports)
	$(BIN)/ruff check insights_lms tests bench
	$(BIN)/ruff format --check insights_lms tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format insights_lms tests bench
	$(BIN)/ruff check --fix insights_lms tests bench

bench: install node-tools ## Benchmarks that print figures (see bench/README.md)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
