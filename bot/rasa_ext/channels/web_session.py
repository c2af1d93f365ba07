"""Signed tokens for web conversations (the Socket.IO channel).

A web conversation id is not a credential: the server makes up the id and hands
the page a token, ``<conversation id>.<HMAC-SHA256 of it>``, signed with a
server secret. Only that token resumes the conversation; an id alone, or a
token with a wrong signature, gets a fresh conversation.

The secret comes from the environment (``WEB_SESSION_SECRET``) or a file
(``WEB_SESSION_SECRET_FILE``, by default ``var/web_session_secret``, created
with mode 0600 on first use), never from the command line. Several Rasa
instances behind one router must share it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Mapping, Optional

from bot import PROJECT_ROOT

SECRET_ENV = "WEB_SESSION_SECRET"
SECRET_FILE_ENV = "WEB_SESSION_SECRET_FILE"
DEFAULT_SECRET_FILE = PROJECT_ROOT / "var" / "web_session_secret"
MIN_SECRET_BYTES = 16

CONVERSATION_ID = re.compile(r"^[0-9a-f]{32}$")
TOKEN = re.compile(r"^(?P<id>[0-9a-f]{32})\.(?P<mac>[A-Za-z0-9_-]{43})$")


class SecretError(RuntimeError):
    """The configured secret is unusable (too short, or its file unreadable)."""


def secret_file(environ: Mapping[str, str]) -> Path:
    return Path(environ.get(SECRET_FILE_ENV) or DEFAULT_SECRET_FILE)


def load_secret(environ: Optional[Mapping[str, str]] = None) -> bytes:
    """The signing secret: the environment's, else the file's (made on first use)."""
    environ = os.environ if environ is None else environ
    value = environ.get(SECRET_ENV, "").strip()
    if value:
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise SecretError(f"{SECRET_ENV} is too short: use at least {MIN_SECRET_BYTES} characters")
        return value.encode()
    path = secret_file(environ)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another instance made it first
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(32) + "\n")
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SecretError(f"cannot read the web session secret {path}: {error.strerror}") from None
    if len(value.encode()) < MIN_SECRET_BYTES:
        raise SecretError(f"the web session secret in {path} is too short")
    return value.encode()


def _mac(secret: bytes, conversation_id: str) -> str:
    digest = hmac.new(secret, b"web-conversation:" + conversation_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: bytes, conversation_id: str) -> str:
    if not CONVERSATION_ID.match(conversation_id):
        raise ValueError("a web conversation id is 32 lowercase hex digits")
    return f"{conversation_id}.{_mac(secret, conversation_id)}"


def new_token(secret: bytes) -> str:
    """A token for a fresh conversation."""
    return sign(secret, secrets.token_hex(16))


def conversation_of(secret: bytes, token: object) -> Optional[str]:
    """The conversation a token resumes, or None when it is not one this server signed."""
    if not isinstance(token, str):
        return None
    match = TOKEN.match(token)
    if not match:
        return None
    expected = _mac(secret, match["id"])
    return match["id"] if hmac.compare_digest(expected, match["mac"]) else None
