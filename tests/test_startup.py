"""`make run` as a newcomer sees it: a quiet start-up, then one banner, last.

Runs ``scripts/run.sh server`` itself (the real start-up script, with the trained
model, on free ports) and reads what it prints. The Socket.IO CORS checks run
against this server too: it is the command line a clinic uses.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
import socketio

from bot import PROJECT_ROOT
from bot.app.banner import CHANNEL_SWITCHES, TITLE
from harness.stack import free_port

pytestmark = pytest.mark.server

MAX_LINES_BEFORE_BANNER = 30


class Started:
    def __init__(self, proc: subprocess.Popen, env: dict) -> None:
        self.proc, self.env = proc, env
        self.lines: List[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_banner(self, timeout: float) -> int:
        """The index of the banner's first line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, line in enumerate(self.lines):
                if line == TITLE:
                    return i - 1  # the rule above the title
            assert self.proc.poll() is None, "\n".join(self.lines[-60:])
            time.sleep(0.5)
        raise AssertionError("no banner:\n" + "\n".join(self.lines[-60:]))

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['RASA_PORT']}"


@pytest.fixture(scope="module")
def started(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    workdir = tmp_path_factory.mktemp("run")
    env = {key: value for key, value in os.environ.items() if key not in ("LOG_LEVEL", "PYTHONWARNINGS")}
    env.update({
        "RASA_PORT": str(free_port()), "ACTIONS_PORT": str(free_port()), "WEB_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{workdir}/rasa.db", "RASA_CORS_ORIGINS": "https://clinic.example",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("ACTION_ENDPOINT_URL", None)  # env.sh derives it from ACTIONS_PORT
    proc = subprocess.Popen([str(PROJECT_ROOT / "scripts" / "run.sh"), "server"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        yield Started(proc, env)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the script's own group: it stops its servers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_a_quiet_start_up_ends_with_one_banner(started: Started) -> None:
    at = started.wait_for_banner(timeout=600)
    before = started.lines[:at]
    print("\n".join(before))
    assert len(before) <= MAX_LINES_BEFORE_BANNER, "\n".join(before)
    assert not [line for line in before if re.search(r"Traceback|Error\b", line)], before
    banner = "\n".join(started.lines[at:at + 12])
    web, rasa = started.env["WEB_PORT"], started.env["RASA_PORT"]
    for expected in (f"http://127.0.0.1:{web}/", f":{rasa}/webhooks/rest/webhook", f":{rasa}/socket.io",
                     "Channels on:       rest, socketio", "var/auth_token", "make shell", "Ctrl+C"):
        assert expected in banner, banner
    # it is the last thing printed at start-up
    time.sleep(3)
    rule = started.lines[at]
    assert started.lines[at + 1:].index(rule) + at + 1 == len(started.lines) - 1, started.lines[at:]


# ---------------------------------------------------------------- CORS: one layer

def polling_handshake(rasa_url: str, origin: str) -> Tuple[int, List[str]]:
    """(status, every Access-Control-Allow-Origin header) of a polling handshake."""
    request = urllib.request.Request(f"{rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get_all("Access-Control-Allow-Origin") or []
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_all("Access-Control-Allow-Origin") or []


def websocket_handshake(rasa_url: str, origin: str) -> Tuple[int, List[str]]:
    """(status, every Access-Control-Allow-Origin header) of a WebSocket upgrade."""
    host, port = rasa_url.split("//")[1].split(":")
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                break
            head += chunk
    lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    allow = [line.split(":", 1)[1].strip() for line in lines[1:]
             if line.lower().startswith("access-control-allow-origin:")]
    return status, allow


def check_one_cors_layer(rasa_url: str, allowed: str) -> None:
    """Exactly one Access-Control-Allow-Origin for an allowed origin, a refusal for another."""
    status, allow = polling_handshake(rasa_url, allowed)
    assert (status, allow) == (200, [allowed])
    status, allow = polling_handshake(rasa_url, "https://attacker.example")
    assert status == 400 and allow == []
    status, allow = websocket_handshake(rasa_url, allowed)
    assert status == 101 and allow in ([], [allowed])
    status, allow = websocket_handshake(rasa_url, "https://attacker.example")
    assert status != 101 and allow == []


def check_polling_client_connects(rasa_url: str, origin: str) -> None:
    """A client that starts with HTTP polling (the Socket.IO default) gets a conversation."""
    client = socketio.Client(reconnection=False)
    confirmed: List[str] = []
    client.on("session_confirm", confirmed.append)
    client.connect(rasa_url, transports=["polling"], headers={"Origin": origin})
    try:
        client.emit("session_request", {"session_id": None})
        deadline = time.monotonic() + 30
        while not confirmed:
            assert time.monotonic() < deadline, "no session_confirm"
            time.sleep(0.05)
    finally:
        client.disconnect()


def test_the_clinic_origin_and_the_demo_page_share_one_cors_layer(started: Started) -> None:
    started.wait_for_banner(timeout=600)
    for origin in ("https://clinic.example", f"http://127.0.0.1:{started.env['WEB_PORT']}"):
        check_one_cors_layer(started.rasa_url, origin)
        check_polling_client_connects(started.rasa_url, origin)


def test_make_run_answers_rest_on_loopback_without_a_token(started: Started) -> None:
    """Staff scripts and evaluations call REST on the machine itself, as the start-up lines show."""
    started.wait_for_banner(timeout=600)
    assert any("no token" in line for line in started.lines), started.lines
    request = urllib.request.Request(f"{started.rasa_url}/webhooks/rest/webhook",
                                     data=b'{"sender": "staff-check", "message": "what is mild?"}',
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        replies = json.loads(response.read())
    assert [m["custom"]["topic"] for m in replies if "custom" in m] == ["what_is_mild"], replies
    # the HTTP API keeps its token
    try:
        urllib.request.urlopen(f"{started.rasa_url}/conversations/staff-check/tracker", timeout=30)
        raise AssertionError("the tracker was readable without the API token")
    except urllib.error.HTTPError as error:
        assert error.code == 401


def test_the_banner_knows_every_messaging_channel_switch() -> None:
    from bot.rasa_ext.channels import messaging

    classes = {"callback": messaging.ClinicCallbackInput, "twilio": messaging.ClinicTwilioInput,
               "telegram": messaging.ClinicTelegramInput, "slack": messaging.ClinicSlackInput,
               "facebook": messaging.ClinicFacebookInput}
    credentials = (PROJECT_ROOT / "credentials.yml").read_text()
    for name, variables in CHANNEL_SWITCHES:
        entry = credentials.split(f"bot.rasa_ext.channels.messaging.{classes[name].__name__}:")[1].split("\n\n")[0]
        required = {re.search(rf"^\s+{re.escape(key)}: \$\{{(\w+)\}}", entry, re.M).group(1)
                    for key in classes[name].REQUIRED}
        assert required == set(variables), name
