# Two commands for learners: `make lab` and `make test`. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB_TIMEOUT ?= 1800

# glibc's malloc gives NumPy's big temporary arrays back to the system after each step and
# maps fresh pages for the next one; keeping up to 256 MB of freed memory saves those page
# faults (a tenth of SimpleConvNet's training time here). Other systems ignore the variables.
export MALLOC_MMAP_THRESHOLD_ ?= 33554432
export MALLOC_TRIM_THRESHOLD_ ?= 268435456

.PHONY: lab test install notebooks notebook book slides weights clean help bench results timings hub assignments translations

help:
	@echo "make lab        start JupyterLab on the course's start page"
	@echo "make test       run every test (library + notebooks in quick mode)"
	@echo "make notebooks  re-execute every chapter in full mode (before committing)"
	@echo "make notebook NB=chapters/01_perceptron.ipynb   re-execute one notebook"
	@echo "make bench      time our NumPy layers and a SimpleConvNet step against PyTorch (installs the bench extra)"
	@echo "make timings    time each chapter's Run All and slowest cell in full mode (TIMINGS_ARGS=\"03 06\" or \"--quick\")"
	@echo "make results    train the reference networks on full MNIST; print test accuracy and wall time"
	@echo "                (BENCH_ARGS=\"--blocks 15\", RESULTS_ARGS=\"--only simple_conv\" pass options)"
	@echo "make translations  after changing an English chapter: update the Japanese catalogues"
	@echo "                (i18n/ja/, src/common/locale/) and regenerate chapters/ja/ (see CONTRIBUTING.md)"
	@echo "make book       build the website into book/_build/html/ (offline, no execution)"
	@echo "make weights    retrain the shipped weights of chapters 2 and 7 (needs full MNIST, e.g. MNIST_MIRROR)"
	@echo "make slides     build one reveal.js deck per chapter into book/_build/slides/"
	@echo "make assignments  nbgrader homework from the chapters' exercises, into classroom/_build/course/"
	@echo "make hub        (as root) a JupyterHub for a seminar room: ROSTER=classroom/roster.csv HUB_ARGS=\"--ssl-cert c.pem --ssl-key k.pem\""

# Create the virtual environment and install the course (re-runs when pyproject.toml changes).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	cp etc/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

install: $(STAMP)

# Root (containers, CI machines) must opt in explicitly; ordinary users need nothing extra.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS) --ServerApp.root_dir="$(CURDIR)" chapters/START_HERE.md

# Tests run one kernel at a time: single-threaded BLAS keeps them fast on a busy
# 2-core machine (no thread oversubscription) and their numbers bit-for-bit repeatable.
test: $(STAMP)
	COURSE_QUICK=1 OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest --nbval-lax --nbval-cell-timeout=$(NB_TIMEOUT) tests chapters --ignore=chapters/ja

notebooks: $(STAMP)
	$(MAKE) notebook NB="$$(ls chapters/*.ipynb chapters/solutions/*.ipynb | tr '\n' ' ')"

# The kernel's BLAS threads follow the course's one policy, set in common.config
# (COURSE_BLAS_THREADS, default 1; README "BLAS threads").
notebook: $(STAMP)
	env -u COURSE_QUICK $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=-1 $(NB)

# The weights chapters 2 and 7 ship in datasets/weights/ (recipes and checksums in its README);
# WEIGHTS_ARGS="--only deep" rebuilds one of them.
weights: $(STAMP)
	$(BIN)/python -m common.tools.pretrained $(WEIGHTS_ARGS)

# The Japanese edition: chapters/ja/ is generated from the English notebooks and the catalogues
# in i18n/ja/ (never edited by hand); NB="chapters/03_learning.ipynb ..." adds notebooks to it.
translations: $(STAMP)
	$(BIN)/python i18n/translations.py update $(NB)

# Website and slides from the committed notebooks; see book/README.md (needs npm).
book: $(STAMP)
	$(BIN)/python book/build.py book

slides: $(STAMP)
	$(BIN)/python book/build.py slides

# PyTorch (the bench extra, CPU wheel pinned in pyproject.toml) is only installed when missing.
bench: $(STAMP)
	@$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -e ".[dev,bench]"
	$(BIN)/python -m common.tools.bench $(BENCH_ARGS)

# Run All of every chapter in a fresh kernel (nbclient), full mode; the notebooks are not written.
# Prints the table and writes test-artifacts/timings.md. Full mode needs MNIST (MNIST_MIRROR).
timings: $(STAMP)
	$(BIN)/python -m common.tools.timings $(TIMINGS_ARGS)

# Needs the full MNIST: cached in datasets/mnist/, or set MNIST_MIRROR (see datasets/README.md).
results: $(STAMP)
	$(BIN)/python -m common.tools.results $(RESULTS_ARGS)

clean:
	rm -rf $(VENV) book/_build book/_vendor book/node_modules .pytest_cache

# The seminar kit (classroom/, book/lecturers.md). The classroom extra and the proxy (npm,
# pinned in classroom/package-lock.json) are installed on first use; `make hub` needs root.
ROSTER ?= classroom/roster.csv
CLASSROOM := $(VENV)/.classroom-installed
$(CLASSROOM): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,classroom]"
	@touch $(CLASSROOM)

classroom/node_modules/.package-lock.json: classroom/package-lock.json
	cd classroom && npm ci --no-audit --no-fund

assignments: $(CLASSROOM)
	$(BIN)/python -m classroom.assignments $(ASSIGNMENTS_ARGS)

hub: $(CLASSROOM) classroom/node_modules/.package-lock.json
	$(BIN)/python -m classroom.hub --roster $(ROSTER) $(HUB_ARGS)
