"""``rasa`` for this project, with its HTTP API token kept out of the command line.

``python -m bot.app.launch run -m models --enable-api ...`` is ``rasa run ...`` with:

- the API token read from ``RASA_AUTH_TOKEN`` or the file ``RASA_AUTH_TOKEN_FILE``
  (never ``--auth-token`` in argv, which ``ps`` shows to every local user);
- the token accepted as ``Authorization: Bearer <token>`` as well as Rasa's
  ``?token=``, compared in constant time (Rasa compares with ``==``);
- the REST channel open without a token only on loopback (``make run`` for staff
  scripts and evaluations); on any other address it takes ``RASA_REST_TOKEN`` or,
  unset, the HTTP API token;
- a umask of 077: the SQLite database and every file the server creates are
  readable by its own user only.
"""

from __future__ import annotations

import hmac
import os
import sys
from functools import wraps
from inspect import isawaitable
from pathlib import Path
from typing import Any, Callable, List, Optional

from bot.app import threads

TOKEN_ENV = "RASA_AUTH_TOKEN"
REST_TOKEN_ENV = "RASA_REST_TOKEN"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TOKEN_FILE_ENV = "RASA_AUTH_TOKEN_FILE"
_NEVER_MATCHES = object()


def auth_token(environ: Optional[dict] = None) -> str:
    env = os.environ if environ is None else environ
    token = (env.get(TOKEN_ENV) or "").strip()
    if not token and env.get(TOKEN_FILE_ENV):
        token = Path(env[TOKEN_FILE_ENV]).read_text(encoding="utf-8").strip()
    return token


def token_given(request: Any) -> str:
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return str(request.args.get("token") or "")


def matches(given: str, token: str) -> bool:
    return bool(token) and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))


def constant_time_requires_auth(original: Callable) -> Callable:
    """Rasa's ``requires_auth`` with the token checked here; JWT (if configured) still by Rasa."""

    def requires_auth(app: Any, token: Optional[str] = None) -> Callable:
        if token is None:
            return original(app, token)
        rasa_check = original(app, _NEVER_MATCHES)  # JWT or 401, never Rasa's == on the token

        def decorator(handler: Callable) -> Callable:
            checked = rasa_check(handler)

            @wraps(handler)
            async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
                if matches(token_given(request), token):
                    result = handler(request, *args, **kwargs)
                    return await result if isawaitable(result) else result
                return await checked(request, *args, **kwargs)

            return decorated

        return decorator

    return requires_auth


def interface(argv: List[str]) -> str:
    """The address ``rasa run`` listens on (``-i``/``--interface``; Rasa's default 0.0.0.0)."""
    for i, arg in enumerate(argv):
        if arg in ("-i", "--interface") and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--interface="):
            return arg.split("=", 1)[1]
    return "0.0.0.0"


def rest_token(environ: dict, argv: List[str], token: str) -> str:
    """The REST channel's token: its own, else none on loopback, else the HTTP API token."""
    own = (environ.get(REST_TOKEN_ENV) or "").strip()
    if own or interface(argv) in LOOPBACK:
        return own
    return token


def rasa_argv(argv: List[str], token: str) -> List[str]:
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit("pass the token in RASA_AUTH_TOKEN or RASA_AUTH_TOKEN_FILE, not on the command line")
    # one argument: a token that starts with "-" would otherwise be read as an option
    return argv + ([f"--auth-token={token}"] if token else [])


def main(argv: Optional[List[str]] = None) -> None:
    os.umask(0o077)
    args = list(sys.argv[1:] if argv is None else argv)
    threads.for_command(args, os.environ)  # before NumPy and TensorFlow load (bot/app/threads.py)
    from bot.app import quiet

    quiet.install()  # the known harmless library warnings, as `python -m bot.app.quiet` does
    import rasa.__main__
    import rasa.server

    rasa.server.requires_auth = constant_time_requires_auth(rasa.server.requires_auth)
    from bot.rasa_ext import runtime

    runtime.install()  # what this project changes in Rasa, each with its reasons (bot/rasa_ext/runtime.py)
    # only this process's own copy of argv changes: /proc/<pid>/cmdline keeps the original
    token = auth_token()
    os.environ[TOKEN_ENV] = token
    # credentials.yml gives it to the REST channel: open on loopback only, never on a network
    os.environ[REST_TOKEN_ENV] = rest_token(os.environ, args, token)
    sys.argv = ["rasa"] + rasa_argv(args, token)
    rasa.__main__.main()


if __name__ == "__main__":
    main()
