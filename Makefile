# RTCM Planner. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-ui lint serve bench bench-full profile render-check export-time explain-time mutation clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/rtcm solve --out out/rtcm-2027.xlsx --json out/rtcm-2027.json

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

# The web page in a headless Chromium (tests/ui; not part of `make test`, run by CI after it): Debian's
# chromium, installed when missing (as root), driven by Playwright against `python -m api` on loopback;
# screenshots in out/screenshots/. About a minute.
test-ui: $(STAMP)
	command -v chromium >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	$(BIN)/python -m pip install --quiet -e '.[dev,ui]'
	$(BIN)/python -m pytest -m ui tests/ui

# Does the suite notice a broken checker? Each hard rule's checker switched off in turn must make the
# tests fail (tests/mutation.py; run by hand, about half a minute per rule on two idle cores).
mutation: $(STAMP)
	$(BIN)/python -m tests.mutation

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Host and port from RTCM_HOST/RTCM_PORT (default 127.0.0.1:8000); another host needs RTCM_API_TOKEN.
serve: $(STAMP)
	$(BIN)/python -m api

# The planner's workbooks rendered to PDF by LibreOffice (not part of `make test`: needs
# `apt-get install libreoffice-calc-nogui`); and the export times of the default calendar.
render-check: $(STAMP)
	$(BIN)/python -m bench.render_check

export-time: $(STAMP)
	$(BIN)/python -m bench.export_time

# The doctor and the explanation of infeasible variants of the default (issue 7: under 30 s).
explain-time: $(STAMP)
	$(BIN)/python -m bench.explain_time

# Solvers at scale (bench/run.py): CP-SAT, the greedy baseline and a HiGHS MIP, 3 runs each.
# bench: 1x and 3x, under 15 minutes on an idle 2-core machine; bench-full adds 10x and Timefold Solver
# as a peer (about 1 hour 15 minutes), with Debian's Java 17 runtime installed when missing (as root).
# Both write bench/results/ and the "Solvers at scale" section of bench/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run --set quick

bench-full: $(STAMP)
	command -v java >/dev/null 2>&1 || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless; }
	$(BIN)/python -m pip install --quiet -e '.[dev,bench,peer]'
	$(BIN)/python -m bench.run --set full

# Where the setup time goes at a scale (SCALE=1, 3 or 10): a pyinstrument profile.
profile: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.profile_build --scale $(or $(SCALE),3)

clean:
	rm -rf $(VENV) out var .pytest_cache .mypy_cache .ruff_cache
