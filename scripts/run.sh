#!/usr/bin/env bash
# Start the assistant on this machine: train when no model matches the data,
# then the action server and the Rasa server (REST + Socket.IO, HTTP API with
# a token). `scripts/run.sh shell` opens the Rasa shell instead of the server.
# No --cors: the Socket.IO channel is the one CORS layer, with the origins of
# RASA_CORS_ORIGINS (credentials.yml); a second layer sends a second
# Access-Control-Allow-Origin header, and browsers then refuse the answer.
# `scripts/run.sh rasa` and `scripts/run.sh actions` run one server each, in the
# foreground and without training: for containers (deploy/docker-compose.yml),
# whose image already holds the trained model.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
mode="${1:-server}"
umask 077  # databases, spool, logs and tokens: readable by this user only

# a bad clinic setting stops here, before anything starts
.venv/bin/python -m bot check-settings

# LOGGING_CONFIG: a logging configuration file, e.g. deploy/logging-debug.yml
rasa_logging=(); sdk_logging=()
if [ -n "${LOGGING_CONFIG:-}" ]; then
    rasa_logging=(--logging-config-file "$LOGGING_CONFIG"); sdk_logging=(--logging-config_file "$LOGGING_CONFIG")
fi

case "$mode" in
    actions) ;;
    server|shell)
        scripts/train.sh ;;
    rasa) ;;
    *)
        echo "usage: scripts/run.sh [server|shell|rasa|actions]" >&2; exit 2 ;;
esac

token_place="the RASA_AUTH_TOKEN environment variable"
# Secrets travel in the environment, never on a command line (ps shows those):
# RASA_AUTH_TOKEN (HTTP API), RASA_REST_TOKEN (REST channel) and ACTION_SERVER_TOKEN
# (Rasa -> action server).
secret() { [ -s "var/$1" ] || .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' > "var/$1"; cat "var/$1"; }
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
    RASA_AUTH_TOKEN="$(secret auth_token)"
    echo "HTTP API token: var/auth_token (set RASA_AUTH_TOKEN to choose your own)"
    token_place="var/auth_token (set RASA_AUTH_TOKEN to choose your own)"
fi
# REST without a token only on loopback: bot/app/launch.py decides (it gives it the HTTP API token elsewhere)
rest_open="$(.venv/bin/python -c 'import os; from bot.app.launch import rest_token
print("" if rest_token(os.environ, ["--interface", os.environ["RASA_HOST"]], "-") else "open")')"
if [ -n "$rest_open" ]; then
    echo "REST (this machine only, no token; set RASA_REST_TOKEN to require one):"
    echo "  curl -d '{\"sender\": \"me-1\", \"message\": \"hi\"}' http://${RASA_HOST}:${RASA_PORT}/webhooks/rest/webhook"
fi
[ -n "${ACTION_SERVER_TOKEN:-}" ] || ACTION_SERVER_TOKEN="$(secret action_token)"
export RASA_AUTH_TOKEN RASA_REST_TOKEN ACTION_SERVER_TOKEN

if [ "$mode" = "actions" ]; then
    exec .venv/bin/python -m actions.server --actions actions --port "$ACTIONS_PORT" "${sdk_logging[@]}"
fi
if [ "$mode" = "rasa" ]; then
    exec .venv/bin/python -m bot.app.launch run -m models --endpoints endpoints.yml --credentials credentials.yml \
        --interface "$RASA_HOST" --port "$RASA_PORT" --enable-api "${rasa_logging[@]}"
fi

pids=()
banner_pid=""
cleanup() {
    for pid in "${pids[@]}" $banner_pid; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo "Starting the action server, the demo page and the Rasa server (about half a minute)"
.venv/bin/python -m actions.server --actions actions --port "$ACTIONS_PORT" "${sdk_logging[@]}" \
    > var/actions.log 2>&1 &
pids+=($!)

if [ "$mode" = "shell" ]; then
    .venv/bin/python -m bot.app.quiet shell -m models --endpoints endpoints.yml "${rasa_logging[@]}"
    exit $?
fi

.venv/bin/python -m bot.app.web --port "$WEB_PORT" > var/web.log 2>&1 &
pids+=($!)

.venv/bin/python -m bot.app.launch run -m models --endpoints endpoints.yml --credentials credentials.yml \
    --interface "$RASA_HOST" --port "$RASA_PORT" --enable-api "${rasa_logging[@]}" \
    &
pids+=($!)
# the banner, once everything answers: the last thing start-up prints
.venv/bin/python -m bot.app.banner --token-place "$token_place" &
banner_pid=$!
wait -n "${pids[@]}"
