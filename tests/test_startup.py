"""`make run` as a newcomer sees it: a quiet start-up, then one banner, last.

Runs ``scripts/run.sh server`` itself (the real start-up script, with the trained
model, on free ports) and reads what it prints. The Socket.IO CORS checks run
against this server too: it is the command line a clinic uses.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator, List

import pytest

from bot import PROJECT_ROOT
from bot.banner import CHANNEL_SWITCHES, TITLE
from bot.stack import free_port
from tests.test_socketio import check_one_cors_layer, check_polling_client_connects

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


def test_the_clinic_origin_and_the_demo_page_share_one_cors_layer(started: Started) -> None:
    started.wait_for_banner(timeout=600)
    for origin in ("https://clinic.example", f"http://127.0.0.1:{started.env['WEB_PORT']}"):
        check_one_cors_layer(started.rasa_url, origin)
        check_polling_client_connects(started.rasa_url, origin)


def test_the_banner_knows_every_messaging_channel_switch() -> None:
    from bot.channels import messaging

    classes = {"callback": messaging.ClinicCallbackInput, "twilio": messaging.ClinicTwilioInput,
               "telegram": messaging.ClinicTelegramInput, "slack": messaging.ClinicSlackInput,
               "facebook": messaging.ClinicFacebookInput}
    credentials = (PROJECT_ROOT / "credentials.yml").read_text()
    for name, variables in CHANNEL_SWITCHES:
        entry = credentials.split(f"bot.channels.messaging.{classes[name].__name__}:")[1].split("\n\n")[0]
        required = {re.search(rf"^\s+{re.escape(key)}: \$\{{(\w+)\}}", entry, re.M).group(1)
                    for key in classes[name].REQUIRED}
        assert required == set(variables), name
