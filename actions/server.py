"""The action server: rasa-sdk's own, which only Rasa may call.

``python -m actions.server --actions actions --port 5055`` takes rasa-sdk's
arguments. Every request but ``/health`` must carry the shared secret
``ACTION_SERVER_TOKEN`` as ``Authorization: Bearer <secret>`` (endpoints.yml
makes Rasa send it); anything else gets 401 and runs no action. Without a secret
the server does not start. scripts/run.sh and harness/stack.py generate one.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from typing import Any, Optional

import pluggy

SECRET_ENV = "ACTION_SERVER_TOKEN"
OPEN_PATHS = ("/health",)
hookimpl = pluggy.HookimplMarker("rasa_sdk")
logger = logging.getLogger(__name__)


def authorized(header: Optional[str], secret: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    return bool(secret) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8"), secret.encode("utf-8"))


class SharedSecret:
    """rasa-sdk plugin: a request middleware that answers 401 without the secret."""

    def __init__(self, secret: str) -> None:
        self.secret = secret

    @hookimpl
    def attach_sanic_app_extensions(self, app: Any) -> None:
        from sanic import response

        @app.middleware("request")
        async def check_secret(request: Any) -> Any:
            if request.path in OPEN_PATHS or authorized(request.headers.get("Authorization"), self.secret):
                return None
            logger.warning("Refused an action server request without the shared secret.")
            return response.json({"error": "unauthorized"}, status=401)


def keep_tensorflow_out() -> None:
    """Make ``import tensorflow`` fail in this process (the action server's own).

    thinc, spaCy's machine-learning library, imports TensorFlow when it is installed (Rasa needs it)
    only to offer it as a backend; the questionnaire's blank spaCy pipeline (bot/core/answers.py)
    never uses it. Loaded, it took the action server from about 110 to about 490 MB.
    """
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type]


def main() -> int:
    from rasa_sdk.__main__ import main as sdk_main
    from rasa_sdk.plugin import plugin_manager

    secret = os.environ.get(SECRET_ENV, "").strip()
    if not secret:
        print(f"{SECRET_ENV} is not set: the action server only runs with the secret that Rasa sends "
              "(scripts/run.sh makes one in var/action_token).", file=sys.stderr)
        return 2
    os.umask(0o077)  # the requests database and spool it creates: its own user only
    keep_tensorflow_out()
    plugin_manager().register(SharedSecret(secret))
    sdk_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
