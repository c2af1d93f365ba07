# The two commands: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV := source scripts/env.sh &&

.PHONY: help setup run shell train validate lint unit test mutation bench bench-load audit clean

help:
	@echo "make run    - set up, train if needed, start the action server and the Rasa server"
	@echo "make test   - set up and run the whole test suite (lint, unit, validate, train, server tests)"
	@echo "make shell  - the Rasa shell for staff, with the action server running"
	@echo "make mutation - mutation testing of the pure core (mutmut); prints the share of mutants killed"
	@echo "make bench  - print accuracy, latency, throughput (and beside a stock rasa init bot), start time and memory figures"
	@echo "make bench-load - mixed conversations at 10/50/100 at once, and 50/100 pausing 5 s, on SQLite and PostgreSQL"
	@echo "make audit  - known vulnerabilities of the pinned packages (pip-audit; needs the network)"

setup:
	@scripts/setup.sh

run: setup
	@scripts/run.sh server

shell: setup
	@scripts/run.sh shell

train: setup
	@scripts/train.sh

validate: setup
	@$(ENV) .venv/bin/rasa data validate --fail-on-warnings

lint: setup
	@.venv/bin/ruff check bot actions harness tests bench

unit: setup
	@$(ENV) .venv/bin/pytest -q -m "not server"

# CI order: lint, unit tests, `rasa data validate`, train once, tests against
# the running servers (the session fixtures reuse the trained model).
test: setup
	@scripts/test.sh

# mutmut 3 on the pure core against its unit tests (pyproject.toml, [tool.mutmut]); at most 2 workers.
# Its scratch copy is mutants/ (git-ignored); `bench/mutation.py --report --survivors` reprints.
mutation: setup
	@$(ENV) .venv/bin/python bench/mutation.py

bench: setup
	@$(ENV) .venv/bin/python bench/bench.py
	@$(ENV) .venv/bin/python bench/turn_cost.py
	@$(ENV) .venv/bin/python bench/stock.py --two-processes

# PostgreSQL comes from Debian (scripts/system-deps.sh), run on a throw-away local server.
bench-load: setup
	@scripts/system-deps.sh
	@$(ENV) .venv/bin/python bench/load.py

# Fails, saying so, when no vulnerability database is reachable (README, Known advisories).
audit:
	@scripts/audit.sh

clean:
	rm -rf models var .cache .pytest_cache mutants
