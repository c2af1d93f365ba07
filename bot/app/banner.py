"""The start-up banner of ``make run``: printed once, last, when everything answers.

``scripts/run.sh`` starts it in the background after the servers; it waits until
the action server, the Rasa server (REST and Socket.IO) and the demo page answer,
then prints where to go. Standard library only, so it costs nothing to start.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

# The messaging channels and the variables that switch each one on: the
# ``REQUIRED`` credentials of bot/rasa_ext/channels/messaging.py, as credentials.yml names them
# (tests/test_startup.py checks that the two agree).
CHANNEL_SWITCHES: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("callback", ("CALLBACK_URL",)),
    ("twilio", ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER")),
    ("telegram", ("TELEGRAM_TOKEN", "TELEGRAM_BOT_NAME", "TELEGRAM_SECRET_TOKEN")),
    ("slack", ("SLACK_TOKEN", "SLACK_SIGNING_SECRET")),
    ("facebook", ("FACEBOOK_VERIFY_TOKEN", "FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN")),
)
TITLE = "The mild patient assistant is running."


def channels_on(environ: Mapping[str, str]) -> List[str]:
    on = ["rest", "socketio"]
    for name, variables in CHANNEL_SWITCHES:
        if all(str(environ.get(v) or "").strip() for v in variables):
            on.append(name)
    return on


def urls(environ: Mapping[str, str]) -> Dict[str, str]:
    rasa = f"http://{environ.get('RASA_HOST', '127.0.0.1')}:{environ.get('RASA_PORT', '5005')}"
    return {
        "page": f"http://127.0.0.1:{environ.get('WEB_PORT', '8000')}/",
        "rasa": rasa,
        "rest": f"{rasa}/webhooks/rest/webhook",
        "socketio": f"{rasa}/socket.io",
        "actions": f"http://127.0.0.1:{environ.get('ACTIONS_PORT', '5055')}/health",
    }


def banner(environ: Mapping[str, str], token_place: str) -> str:
    where = urls(environ)
    origins = environ.get("RASA_CORS_ORIGINS", "")
    lines = [
        TITLE,
        f"  Demo clinic page:  {where['page']}",
        f"  REST endpoint:     {where['rest']}",
        f"  Socket.IO:         {where['socketio']}  (pages allowed: {origins})",
        f"  Channels on:       {', '.join(channels_on(environ))}",
        f"  HTTP API token:    {token_place}",
        "  Staff shell:       make shell",
        "  Logs:              this terminal, var/actions.log, var/web.log",
        "  Stop:              Ctrl+C",
    ]
    rule = "=" * max(len(line) for line in lines)
    return "\n".join([rule, *lines, rule])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def wait_for(checks: Sequence[str], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    pending = list(checks)
    while pending and time.monotonic() < deadline:
        pending = [url for url in pending if not answers(url)]
        if pending:
            time.sleep(0.5)
    return not pending


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.app.banner", description=__doc__.splitlines()[0])
    parser.add_argument("--token-place", default="var/auth_token", help="where the HTTP API token is")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    where = urls(os.environ)
    checks = [where["actions"], f"{where['rasa']}/", f"{where['rasa']}/webhooks/rest/",
              f"{where['rasa']}/webhooks/socketio/", where["page"]]
    if not wait_for(checks, args.timeout):
        print(f"The assistant did not answer within {args.timeout:.0f} s: see the messages above.", file=sys.stderr)
        return 1
    print(banner(os.environ, args.token_place), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
