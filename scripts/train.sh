#!/usr/bin/env bash
# Train a model unless one in models/ already matches the data and config
# (Rasa compares fingerprints and keeps the old model when nothing changed).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
.venv/bin/python -m bot.app.quiet train --out models --fixed-model-name mild-assistant --quiet "$@"
