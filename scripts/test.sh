#!/usr/bin/env bash
# The whole suite, in CI order. Any failing step fails the run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

echo "== Debian packages the tests use (Chromium, PostgreSQL, Redis, nginx)"
scripts/system-deps.sh
echo "== lint"
.venv/bin/ruff check bot actions harness tests bench
echo "== rasa data validate"
.venv/bin/rasa data validate --fail-on-warnings --quiet
echo "== train (skipped when the model matches the data)"
scripts/train.sh
echo "== dialogue regressions (rasa test core: tests/stories/, any wrong next action fails)"
.venv/bin/python -m bot.app.quiet test core --stories tests/stories --model models \
    --fail-on-prediction-errors --out var/test-stories --quiet
echo "== tests"
.venv/bin/pytest "$@"
