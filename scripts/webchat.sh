#!/usr/bin/env bash
# rasa-webchat, the most used third-party Rasa web widget, at a pinned version, for
# the compatibility test (tests/test_webchat.py). Fetched once from the npm registry
# with npm itself (the package's integrity is checked against the pin) and cached in
# .cache/rasa-webchat-<version>/; prints the folder that holds lib/index.js.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="1.0.1"
INTEGRITY="sha512-Ld1zVJvTAaTrs6A5p8t70agNNrKYRyXlvqXZRgBoDvKKUXbA0jhJKECi5bdPGlaR6jsmqWtVylHS+YqIqo0x8w=="
DEST="$ROOT/.cache/rasa-webchat-$VERSION"
if [ -s "$DEST/package/lib/index.js" ]; then
    echo "$DEST/package"; exit 0
fi
command -v npm >/dev/null 2>&1 || "$ROOT/scripts/system-deps.sh" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent --json "rasa-webchat@$VERSION" > pack.json)
got="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["integrity"])' "$tmp/pack.json")"
if [ "$got" != "$INTEGRITY" ]; then
    echo "rasa-webchat@$VERSION: integrity $got is not the pinned one" >&2; exit 1
fi
mkdir -p "$tmp/out"
tar -xzf "$tmp/rasa-webchat-$VERSION.tgz" -C "$tmp/out" package/lib/index.js package/LICENSE package/package.json
mkdir -p "$ROOT/.cache"
rm -rf "$DEST"; mv "$tmp/out" "$DEST"
echo "$DEST/package"
