# Run `make` or `make help` to see the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON_SYS ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
KERNEL := analysis
RAW := data/raw
PROCESSED := data/processed
SOURCES := $(shell find src/analysis -type f \( -name '*.py' -o -name '*.txt' -o -name '*.yaml' \) 2>/dev/null)
RAW_FILES := $(shell find $(RAW) -type f 2>/dev/null)

LOCK := requirements.lock

.PHONY: help install data reports test test-fast lint format lock lab calibrate validate sample evaluate benchmark clean distclean

help: ## show this help
	@echo "Usage: make <target>"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml $(LOCK)
	@test -d $(VENV) || $(PYTHON_SYS) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e '.[test]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (analysis)" >/dev/null
	$(PY) -m compileall -q src/analysis >/dev/null  # bytecode once: editable installs are not compiled
	$(PY) -m analysis prepare
	@touch $(STAMP)

install: $(STAMP) ## create .venv/ and install the project (exact versions from requirements.lock), its tests and kernel

$(PROCESSED)/manifest.json: $(STAMP) $(RAW_FILES) $(SOURCES)
	$(PY) -m analysis build --raw $(RAW) --out $(PROCESSED)

data: $(PROCESSED)/manifest.json ## build the corpus tables in data/processed/ from data/raw/

reports: data ## set up, build the corpus and render every report into reports/ (skips up-to-date ones)
	$(PY) -m analysis report --data $(PROCESSED) --out reports
	@echo "Open $(CURDIR)/reports/index.html"

test: $(STAMP) ## run the whole test suite (what CI runs)
	$(PY) -m pytest -q -n 2

test-fast: $(STAMP) ## the tests not marked slow (no kernels, no full builds): under a minute, for the edit loop
	$(PY) -m pytest -q -n 2 -m "not slow"

lint: $(STAMP) ## ruff: lint and check formatting (configured in pyproject.toml)
	$(PY) -m ruff check src tests benchmarks scripts
	$(PY) -m ruff format --check src tests benchmarks scripts

format: $(STAMP) ## ruff: fix what can be fixed and format the code
	$(PY) -m ruff check --fix src tests benchmarks scripts
	$(PY) -m ruff format src tests benchmarks scripts

lock: ## refresh requirements.lock: the newest versions pyproject.toml allows, resolved in a fresh venv
	rm -rf .lock-venv && $(PYTHON_SYS) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet '.[test]'
	( echo "# Exact versions \`make install\` installs (refresh: make lock; ranges for library use: pyproject.toml)"; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -iv '^analysis[ =@]' ) > $(LOCK)
	rm -rf .lock-venv build

lab: $(STAMP) ## open JupyterLab on the project kernel
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

calibrate: $(STAMP) ## re-choose the sentiment default and neutral bands on data/annotations/ (cross-validated)
	$(PY) -m analysis calibrate

validate: $(STAMP) ## reference validation figures; with DATA=dir ANNOTATIONS=sheet.xlsx: validate on your own coded sample
	$(if $(ANNOTATIONS),$(PY) -m analysis validate --data $(or $(DATA),data/processed) --annotations $(ANNOTATIONS),$(PY) -m analysis validate)

sample: $(STAMP) ## draw a coding sheet from a build: make sample DATA=dir UNIT=sentences N=200 OUT=coding.xlsx
	$(PY) -m analysis sample --data $(or $(DATA),data/processed) --unit $(or $(UNIT),sentences) --n $(or $(N),200) --out $(or $(OUT),coding.xlsx)

evaluate: $(STAMP) ## score intake and privacy on the challenge corpora with ground truth (tests/fixtures/)
	$(PY) -m analysis evaluate

benchmark: $(STAMP) ## measure build and report speed (writes benchmarks/results/build.json and reports.json)
	$(PY) benchmarks/bench_build.py
	$(PY) benchmarks/bench_reports.py

clean: ## remove generated outputs (data/processed/, reports/, caches); never touches data/raw/
	rm -rf $(PROCESSED)/* $(PROCESSED)/.cache reports/*.html reports/.state .pytest_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

distclean: clean ## clean, and remove .venv/
	rm -rf $(VENV)
