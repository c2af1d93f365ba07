# Embedded defaults for every setting that endpoints.yml and the scripts read.
# Sourced by the Makefile's targets; a value already in the environment wins.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export RASA_HOST="${RASA_HOST:-127.0.0.1}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:${ACTIONS_PORT}/webhook}"
mkdir -p "$ROOT/var"
export DATABASE_URL="${DATABASE_URL:-sqlite:///$ROOT/var/rasa.db}"
export WEB_PORT="${WEB_PORT:-8000}"
# Pages allowed to talk to the assistant from a browser (the widget), comma-separated:
# the one place to list a clinic's site. The demo page's origins are always added.
RASA_CORS_ORIGINS="${RASA_CORS_ORIGINS:-}"
for origin in "http://127.0.0.1:${WEB_PORT}" "http://localhost:${WEB_PORT}"; do
    case ",${RASA_CORS_ORIGINS}," in
        *",${origin},"*) ;;
        *) RASA_CORS_ORIGINS="${RASA_CORS_ORIGINS:+${RASA_CORS_ORIGINS},}${origin}" ;;
    esac
done
export RASA_CORS_ORIGINS
# The REST channel's token (credentials.yml); empty: open, which scripts/run.sh allows on loopback only
export RASA_REST_TOKEN="${RASA_REST_TOKEN:-}"
export LOCK_STORE_URL="${LOCK_STORE_URL:-memory://}"
export CLINIC_SETTINGS="${CLINIC_SETTINGS:-$ROOT/clinic.yml}"
# Rasa's own telemetry would try the network: off.
export RASA_TELEMETRY_ENABLED=false
# Start-up output: our lines, warnings that matter and errors. Known harmless library
# warnings are filtered where they start (bot/app/quiet.py, TensorFlow's and transformers'
# log levels); LOG_LEVEL=debug shows everything again.
LOG_LEVEL="$(echo "${LOG_LEVEL:-INFO}" | tr '[:lower:]' '[:upper:]')"
export LOG_LEVEL
if [ "$LOG_LEVEL" = "DEBUG" ]; then
    export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-0}" TRANSFORMERS_VERBOSITY="${TRANSFORMERS_VERBOSITY:-info}"
else
    export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}" TRANSFORMERS_VERBOSITY="${TRANSFORMERS_VERBOSITY:-error}"
fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export SANIC_HOST="${SANIC_HOST:-127.0.0.1}"  # the action server listens on loopback only
export SQLALCHEMY_SILENCE_UBER_WARNING=1  # Rasa 3.6 pins SQLAlchemy < 2; its 2.0 notice is noise
# Models load from the installed packages only: never from a hub at run time.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# Messaging channels (credentials.yml): each stays off while its values are empty.
for var in CALLBACK_URL TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_NUMBER TWILIO_WEBHOOK_URL TELEGRAM_TOKEN TELEGRAM_BOT_NAME TELEGRAM_WEBHOOK_URL TELEGRAM_SECRET_TOKEN TELEGRAM_API_URL SLACK_TOKEN SLACK_CHANNEL SLACK_SIGNING_SECRET FACEBOOK_VERIFY_TOKEN FACEBOOK_APP_SECRET FACEBOOK_PAGE_ACCESS_TOKEN; do
    export "$var=${!var:-}"
done
