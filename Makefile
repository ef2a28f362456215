# Evidence Explorer: `make run` opens the explorer, `make test` runs every check.
# Both create .venv and install the project first, so a fresh clone needs nothing else.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# What running the explorer needs (no test tools); the [dev] install above includes it.
RUN_STAMP := $(VENV)/.installed-run
# make run SHARE=1: listen on every network interface instead of this machine only.
SHARE  ?=

.PHONY: install run test lint bench eval bench-ingest system-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $(RUN_STAMP)

install: $(STAMP)

## run: load the bundled samples (first time) and open the explorer on http://localhost:8501 (this machine only)
run: $(RUN_STAMP)
	$(BIN)/evx app $(if $(SHARE),--share)

## system-deps: Debian packages the browser and PDF tests use (Chromium, a Unicode font)
system-deps:
	@scripts/ensure-system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## test: lint, then every test tier (unit, contract, CLI, browser, Neo4j over Bolt)
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest

## bench: the benchmark suite; writes BENCHMARKS.md and bench-results.json
bench: $(STAMP)
	$(BIN)/python -m bench

## bench-ingest: only the end-to-end ingest benchmarks (evx load of documents); rewrites their section
bench-ingest: $(STAMP)
	$(BIN)/python -m bench --only ingest

## eval: relation and concept F1 on the BioCreative V CDR development set (CDR=, MESH= point at the data)
CDR  ?= ../shared/fixtures/bc5cdr
MESH ?= ../shared/vocab/mesh
EVAL_SET ?= $(CDR)/CDR_DevelopmentSet.PubTator.txt
eval: $(STAMP)
	$(BIN)/evx eval cdr $(EVAL_SET) --mesh $(MESH)/terms.tsv --mesh $(MESH)/tree-numbers.tsv \
		--train $(CDR)/CDR_TrainingSet.PubTator.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
