# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= pilot
SEED ?= 20250301
DEMO := data/demo
STORE ?= data/pilot.duckdb

.PHONY: run test test-fast lint demo serve bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Build the synthetic demo place, load it into the store and serve the dashboard.
run: demo serve

demo: $(STAMP)
	$(BIN)/pilot demo --scale $(SCALE) --seed $(SEED) --out $(DEMO)
	rm -f $(STORE) $(STORE).wal
	$(BIN)/pilot load practices $(DEMO)/practices.csv --store $(STORE)
	$(BIN)/pilot load areas $(DEMO)/areas.csv --store $(STORE)
	$(BIN)/pilot load pilots $(DEMO)/pilots.toml --store $(STORE)
	$(BIN)/pilot load referrals $(DEMO)/referrals.csv --store $(STORE)
	$(BIN)/pilot load followups $(DEMO)/followups.csv --store $(STORE)
	$(BIN)/pilot harvest $(DEMO)/feeds --store $(STORE)
	$(BIN)/pilot build --store $(STORE)

serve: $(STAMP)
	$(BIN)/pilot serve --store $(STORE)

## The whole suite, slow and browser tests included (exit code 5, "no tests", fails).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Benchmarks with budget pass/fail: london and national by default (40 min or more on 2
## cores); `make bench SCALE=pilot` or SCALE=pilot,london to choose, RUNS=N runs a figure.
BENCH_SCALES := london,national
bench: $(STAMP)
	$(BIN)/python bench/run_all.py --scales $(if $(filter command line environment,$(origin SCALE)),$(SCALE),$(BENCH_SCALES)) $(if $(RUNS),--runs $(RUNS))

clean:
	rm -rf $(VENV) data/demo data/*.duckdb data/rejects
