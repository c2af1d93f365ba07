#!/usr/bin/env bash
# make audit: known vulnerabilities of the pinned packages (constraints.txt), by pip-audit.
# pip-audit runs from its own tool environment (.cache/audit-venv), not the project's.
# It needs a vulnerability database on the network (OSV by default; AUDIT_SERVICE=pypi
# for PyPI's). When none answers, this says so and fails: an audit that could not
# look anything up has not passed.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PIP_AUDIT_VERSION=2.10.1
TOOLS="$ROOT/.cache/audit-venv"
SERVICE="${AUDIT_SERVICE:-osv}"

if [ ! -x "$TOOLS/bin/pip-audit" ]; then
    echo "Installing pip-audit $PIP_AUDIT_VERSION in $TOOLS"
    if ! { python3 -m venv "$TOOLS" && "$TOOLS/bin/pip" install -q "pip-audit==$PIP_AUDIT_VERSION"; }; then
        echo "AUDIT NOT RUN: pip-audit could not be installed." >&2
        exit 3
    fi
fi

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
# constraints.txt holds every package of the project's environment, pinned: audit exactly those
"$TOOLS/bin/pip-audit" --requirement constraints.txt --no-deps --disable-pip \
    --vulnerability-service "$SERVICE" --progress-spinner off --desc off > "$out" 2>&1
status=$?
if [ "$status" -ne 0 ] && grep -qiE "connection|resolve|timed out|max retries|network is unreachable|ServiceError|SSLError" "$out"; then
    tail -n 1 "$out" >&2
    echo "AUDIT NOT RUN: no vulnerability database ($SERVICE) was reachable from this machine." >&2
    echo "Nothing was checked. Run 'make audit' where it can reach the internet; README, 'Known advisories'." >&2
    exit 3
fi
cat "$out"
if [ "$status" -ne 0 ]; then
    echo "Known vulnerabilities above (or pip-audit failed). README 'Known advisories' says which are reachable here." >&2
fi
exit "$status"
