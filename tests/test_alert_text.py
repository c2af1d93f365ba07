"""Emergency and crisis messages reach a patient as plain text on every channel.

A client that ignores custom payloads (rasa-webchat, an SMS phone, Slack, the
shell) must still show the alert. Each channel's real output class gets the
rendered ``utter_emergency`` and ``utter_crisis`` responses; the messaging
platforms' APIs are replaced at the HTTP boundary by a local fake server.
"""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest

from harness.stack import free_port

ALERTS = {"utter_emergency": "emergency", "utter_crisis": "crisis"}


class FakePlatform:
    """Answers every POST as the platforms' APIs would well enough; keeps the strings sent."""

    def __init__(self) -> None:
        self.strings: List[str] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                try:
                    platform.strings.extend(strings(json.loads(raw)))
                except ValueError:
                    platform.strings.extend(value for _, value in urllib.parse.parse_qsl(raw))
                reply = json.dumps({"ok": True, "sid": "SM" + "0" * 32, "recipient_id": "1", "message_id": "m1",
                                    "result": {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}}})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakePlatform:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def strings(value: Any) -> List[str]:
    if isinstance(value, str):
        try:
            return strings(json.loads(value)) if value.lstrip().startswith(("{", "[")) else [value]
        except ValueError:
            return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@pytest.fixture(scope="module")
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@pytest.fixture(scope="module")
def alerts() -> Dict[str, Dict[str, Any]]:
    """The two alert responses as the assistant renders them (clinic settings filled in)."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import PROJECT_ROOT
    from bot.rasa_ext.nlg import ClinicResponseGenerator

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    nlg = ClinicResponseGenerator(domain=domain)
    tracker = DialogueStateTracker("alert-test", domain.slots)
    rendered = {}
    for name, kind in ALERTS.items():
        message = asyncio.run(nlg.generate(name, tracker, "any"))
        assert message["custom"] == {"alert": kind} and message["text"].strip()
        rendered[name] = {**message, "utter_action": name}
    return rendered


def delivered(alerts: Dict[str, Dict[str, Any]], got: List[str], raw_json_shown: bool = False) -> None:
    """Each alert's whole text was sent as text (and, on a patient's channel, no raw JSON)."""
    for message in alerts.values():
        assert any(message["text"].strip() in text for text in got), (message["text"], got)
    if not raw_json_shown:
        assert not [text for text in got if '"alert"' in text], got


class RecordingSio:
    def __init__(self) -> None:
        self.emitted: List[tuple] = []

    async def emit(self, event: str, data: Any = None, room: Any = None, **kwargs: Any) -> None:
        self.emitted.append((event, data))


def test_socketio_sends_the_alert_as_a_text_message_of_its_own(alerts) -> None:
    from bot.rasa_ext.channels.socketio import ClinicSocketIOOutput

    sio = RecordingSio()
    output = ClinicSocketIOOutput(sio, "bot_uttered")
    for message in alerts.values():
        asyncio.run(output.send_response("c1", dict(message)))
    # a message rasa-webchat shows: {text}, or {text, quick_replies}
    plain = [data["text"] for event, data in sio.emitted
             if event == "bot_uttered" and set(data) in ({"text"}, {"text", "quick_replies"})]
    delivered(alerts, plain)


def test_rest_and_the_shell_show_the_alert_as_text(alerts, capsys) -> None:
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.channels.console import _print_bot_output

    output = CollectingOutputChannel()
    for message in alerts.values():
        asyncio.run(output.send_response("c1", dict(message)))
    delivered(alerts, [m.get("text") or "" for m in output.messages])
    capsys.readouterr()
    for message in output.messages:  # what `rasa shell` (make shell) prints of each
        _print_bot_output(message)
    printed = capsys.readouterr().out
    delivered(alerts, printed.splitlines(), raw_json_shown=True)  # staff also see the payload


def test_callback_sends_the_alert_as_text(alerts, platform: FakePlatform) -> None:
    from rasa.core.channels.callback import CallbackOutput
    from rasa.utils.endpoints import EndpointConfig

    before = len(platform.strings)
    output = CallbackOutput(EndpointConfig(url=f"{platform.url}/callback"))
    for message in alerts.values():
        asyncio.run(output.send_response("c1", dict(message)))
    delivered(alerts, platform.strings[before:])


def test_sms_sends_the_alert_as_text(alerts, platform: FakePlatform) -> None:
    from bot.core.channel_text import ChoiceMemory
    from bot.rasa_ext.channels.messaging import ClinicTwilioOutput

    before = len(platform.strings)
    output = ClinicTwilioOutput("AC" + "0" * 32, "token", "+15550009999", ChoiceMemory())
    output.api.base_url = platform.url
    for message in alerts.values():
        asyncio.run(output.send_response("+15550001111", dict(message)))
    delivered(alerts, platform.strings[before:])


def test_telegram_sends_the_alert_as_text(alerts, platform: FakePlatform) -> None:
    from bot.rasa_ext.channels.messaging import ClinicTelegramOutput

    before = len(platform.strings)

    async def send() -> None:
        output = ClinicTelegramOutput("123456:TEST-token_for-tests", platform.url)
        try:
            for message in alerts.values():
                await output.send_response("42", dict(message))
        finally:
            await output.session.close()

    asyncio.run(send())
    delivered(alerts, platform.strings[before:])


def test_slack_sends_the_alert_as_text(alerts, platform: FakePlatform) -> None:
    from bot.rasa_ext.channels.messaging import ClinicSlackBot

    before = len(platform.strings)
    output = ClinicSlackBot("xoxb-test", "C0001")
    output.client.base_url = f"{platform.url}/"
    for message in alerts.values():
        asyncio.run(output.send_response("U0001", dict(message)))
    delivered(alerts, platform.strings[before:])


def test_messenger_sends_the_alert_as_text(alerts, platform: FakePlatform) -> None:
    from fbmessenger import MessengerClient

    from bot.rasa_ext.channels.messaging import ClinicMessengerBot

    before = len(platform.strings)
    client = MessengerClient("page-token")
    client.graph_url = platform.url
    output = ClinicMessengerBot(client)
    for message in alerts.values():
        asyncio.run(output.send_response("1001", dict(message)))
    delivered(alerts, platform.strings[before:])
