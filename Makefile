# simlib — the two commands a newcomer needs:
#   make reports   build the environment if needed, run every scenario, write reports/
#   make test      build the environment if needed, run the whole test suite (its log ends with
#                  the 25 slowest test phases, so that every CI log records where the time goes)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= 2
LANG_REPORT ?= vi
# parameter draws per scenario for fan charts and probabilities of meeting targets (0: off); the
# whole batch with 100 needs about 60–85 CPU seconds, 36–44 s wall, on a quiet 2-core machine (README,
# "Speed"; benchmarks/reports_results.json)
UNCERTAINTY ?= 100
# at most this many per multidimensional scenario (multidim_2030, plan_2027). Each of their draws
# re-runs the whole multidimensional model (with and without the programme, and under the previous
# poverty standard up to its change): several CPU seconds a draw against milliseconds for the
# states model, so 100 draws of the two would add many times the batch's 60 s budget (README,
# "Speed"). Default 0: their reports say that no draws ran, why, and the command that runs them
# (`make reports UNCERTAINTY_MULTIDIM=100`, or `simlib run <file> --uncertainty 100`).
UNCERTAINTY_MULTIDIM ?= 0

.PHONY: reports test bench bench-reports lab clean-venv help

help:
	@echo "make reports  - run all scenarios in params/scenarios and write reports/"
	@echo "make test     - run the full test suite"
	@echo "make bench    - print speed and memory figures (benchmarks/)"
	@echo "make bench-reports - time make reports (wall, CPU, load) against the 60 s target"
	@echo "make lab      - open JupyterLab on your workspace copy of the notebooks (workspace/)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

reports: $(STAMP)
	$(BIN)/simlib batch params/scenarios --out reports --jobs $(JOBS) --lang $(LANG_REPORT) --uncertainty $(UNCERTAINTY) --uncertainty-multidim $(UNCERTAINTY_MULTIDIM)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(JOBS) -q --durations=25

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# wall and CPU seconds of `make reports` against issue 18's 60 s (writes benchmarks/reports_results.json);
# BENCH_ARGS=--stages adds the CPU seconds of every stage (the batch run again, serially)
BENCH_ARGS ?=
bench-reports: $(STAMP)
	$(BIN)/python -m benchmarks.reports $(BENCH_ARGS)

# JupyterLab opens copies of the notebooks in the git-ignored workspace/ (refreshed from notebooks/
# without overwriting your changes), so the templates simlib batch renders stay as committed.
# LAB_ARGS passes options on, e.g. make lab LAB_ARGS="--no-browser --port 8890".
LAB_ARGS ?=
# the workspace simlib.workbench fills: $SIMLIB_WORKSPACE if set, else workspace/ (simlib.paths)
WORKSPACE := $(or $(SIMLIB_WORKSPACE),workspace)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/python -m simlib.workbench
	$(BIN)/jupyter lab --ServerApp.root_dir='$(WORKSPACE)' $(ROOT_FLAG) $(LAB_ARGS)

clean-venv:
	rm -rf $(VENV)
