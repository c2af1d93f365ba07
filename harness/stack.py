"""Start and stop a local assistant (action server + Rasa server) from Python.

Used by the test suite and the benchmarks, which need the real servers on
loopback with their own ports and database. ``scripts/run.sh`` is the
equivalent for people.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from bot import PROJECT_ROOT
from bot.rasa_ext.channels import CHANNEL_VARIABLES

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_json(
    method: str, url: str, body: Any = None, timeout: float = 30.0, token: Optional[str] = None
) -> Any:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=auth_headers(token))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def auth_headers(token: Optional[str]) -> Dict[str, str]:
    """JSON, with the server's token as a Bearer header when there is one."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


@lru_cache(maxsize=1)
def action_server_secret() -> str:
    """One secret per test process, so that stacks sharing an action server agree on it."""
    return secrets.token_urlsafe(32)


@dataclass
class Stack:
    """One action server and one Rasa server, started as child processes."""

    workdir: Path
    model_dir: Path = PROJECT_ROOT / "models"
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)  # the page allowed to use the widget
    token: str = "test-token"
    extra_env: Dict[str, str] = field(default_factory=dict)
    action_secret: str = field(default_factory=action_server_secret)
    database_url: Optional[str] = None
    _procs: Dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def database(self) -> str:
        """The servers' ``DATABASE_URL``: conversations and consultation requests."""
        return self.database_url or f"sqlite:///{self.workdir / 'rasa.db'}"

    def count(self, sql: str, sender: str) -> int:
        """A ``SELECT COUNT(*)`` on the servers' database, with ``:s`` bound to ``sender``."""
        engine = sa.create_engine(self.database)
        try:
            with engine.connect() as conn:
                return int(conn.execute(sa.text(sql), {"s": sender}).scalar())
        finally:
            engine.dispose()

    def env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "ACTION_ENDPOINT_URL": f"{self.actions_url}/webhook",
                "DATABASE_URL": self.database,
                "RASA_TELEMETRY_ENABLED": "false",
                "SANIC_HOST": "127.0.0.1",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1",
                "PYTHONPATH": str(PROJECT_ROOT),
                "CLINIC_SETTINGS": env.get("CLINIC_SETTINGS", str(PROJECT_ROOT / "clinic.yml")),
                "LOCK_STORE_URL": env.get("LOCK_STORE_URL", "memory://"),
                "RASA_CORS_ORIGINS": f"http://127.0.0.1:{self.web_port}",
                # secrets reach the servers through the environment, never the command line
                "RASA_AUTH_TOKEN": self.token,
                "RASA_REST_TOKEN": self.token,  # REST as deploy/ runs it: with a token
                "ACTION_SERVER_TOKEN": self.action_secret,
            }
        )
        for variable in CHANNEL_VARIABLES:
            env.setdefault(variable, "")
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: List[str]) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / f"{name}.log", "ab")
        self._procs[name] = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )

    def _logging_config(self, option: str) -> List[str]:
        path = self.env().get("LOGGING_CONFIG")
        return [option, path] if path else []

    def start_actions(self) -> None:
        self._spawn(
            "actions",
            [str(VENV_BIN / "python"), "-m", "actions.server", "--actions", "actions",
             "--port", str(self.actions_port), *self._logging_config("--logging-config_file")],
        )
        self._wait(f"{self.actions_url}/health", "actions")

    def start_rasa(self, timeout: float = 180.0) -> float:
        """Start the Rasa server; returns the seconds until it answered."""
        started = time.monotonic()
        self._spawn(
            "rasa",
            [str(VENV_BIN / "python"), "-m", "bot.app.launch", "run", "-m", str(self.model_dir),
             "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
             "--interface", "127.0.0.1", "--port", str(self.rasa_port),
             "--enable-api", *self._logging_config("--logging-config-file")],
        )
        self._wait(f"{self.rasa_url}/status", "rasa", timeout, token=self.token)
        return time.monotonic() - started

    def start(self) -> Stack:
        self.start_actions()
        self.start_rasa()
        return self

    def _wait(self, url: str, name: str, timeout: float = 120.0, token: Optional[str] = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self._procs[name]
            if proc.poll() is not None:
                raise RuntimeError(f"{name} server exited ({proc.returncode}); see {self.workdir / name}.log")
            try:
                http_json("GET", url, timeout=2, token=token)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise TimeoutError(f"{name} server did not answer at {url} within {timeout:.0f}s")

    def stop(self, name: Optional[str] = None) -> None:
        for key in [name] if name else list(self._procs):
            proc = self._procs.pop(key, None)
            if proc is None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def running(self, name: str) -> bool:
        """Whether the server ``name`` ("rasa" or "actions") was started and has not exited."""
        proc = self._procs.get(name)
        return proc is not None and proc.poll() is None

    def pid(self, name: str) -> int:
        return self._procs[name].pid

    def send(self, sender: str, text: str, timeout: float = 30.0) -> List[Dict[str, Any]]:
        """One user message through the REST channel; the bot's messages back."""
        return http_json(
            "POST", f"{self.rasa_url}/webhooks/rest/webhook",
            {"sender": sender, "message": text}, timeout=timeout, token=self.token,
        )

    def parse(self, text: str) -> Dict[str, Any]:
        return http_json("POST", f"{self.rasa_url}/model/parse", {"text": text}, token=self.token)

    def tracker(self, sender: str) -> Dict[str, Any]:
        return http_json("GET", f"{self.rasa_url}/conversations/{sender}/tracker", token=self.token)


def rendered(response: str) -> List[str]:
    """The texts a domain response can have, with this clinic's settings filled in."""
    import yaml

    from bot.core.settings import load_settings

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    variables = load_settings().response_variables()
    return [variation["text"].format(**variables) for variation in domain["responses"][response]]


def payloads(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The custom payloads among the bot's messages of one turn."""
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]


def payload_values(messages: List[Dict[str, Any]], key: str) -> List[Any]:
    """E.g. payload_values(reply, "topic") -> ["recovery_time"]."""
    return [p[key] for p in payloads(messages) if key in p]
