"""Messaging webhooks against a running Rasa server with the channels switched on.

The platforms' clouds are replaced at the HTTP boundary by a local fake server:
the callback receiver and a Telegram Bot API server (the connector's api_url).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from twilio.request_validator import RequestValidator

from harness.stack import Stack, free_port

pytestmark = pytest.mark.server

TWILIO_TOKEN = "twilio-auth-token-for-tests"
TELEGRAM_TOKEN = "123456:TEST-token_for-tests"
TELEGRAM_SECRET = "telegram-secret-for-tests"
SLACK_SECRET = "slack-signing-secret-for-tests"
FACEBOOK_SECRET = "facebook-app-secret-for-tests"


class FakePlatform:
    """Records every request; answers what Telegram's Bot API or a callback receiver would."""

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                platform.requests.append({"path": self.path, "body": body,
                                          "content_type": self.headers.get("Content-Type", "")})
                reply = {"ok": True, "result": {"message_id": len(platform.requests), "date": 0,
                                                "chat": {"id": 42, "type": "private"}}}
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    @staticmethod
    def telegram_fields(request: Dict[str, Any]) -> Dict[str, Any]:
        if "json" in request["content_type"]:
            return dict(json.loads(request["body"]))
        return dict(urllib.parse.parse_qsl(request["body"].decode()))

    @staticmethod
    def telegram_chats(requests: List[Dict[str, Any]]) -> List[int]:
        """The chat each Bot API call was about."""
        return [int(FakePlatform.telegram_fields(r)["chat_id"]) for r in requests]

    @staticmethod
    def telegram_texts(requests: List[Dict[str, Any]]) -> List[str]:
        texts = []
        for r in requests:
            if r["path"].endswith("/sendMessage"):
                fields = (json.loads(r["body"]) if "json" in r["content_type"]
                          else dict(urllib.parse.parse_qsl(r["body"].decode())))
                texts.append(fields.get("text", ""))
        return texts


@pytest.fixture(scope="module")
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="module")
def channels(trained_model: Path, platform: FakePlatform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {
        "CALLBACK_URL": f"{platform.url}/callback",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_NUMBER": "+15550009999",
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_BOT_NAME": "riverside_bot",
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET, "TELEGRAM_API_URL": platform.url,
        "SLACK_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "FACEBOOK_VERIFY_TOKEN": "verify-me", "FACEBOOK_APP_SECRET": FACEBOOK_SECRET,
        "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token",
    }
    stack = Stack(workdir=tmp_path_factory.mktemp("channels"), model_dir=trained_model, extra_env=env)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def post(url: str, body: bytes, headers: Dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def user_texts(stack: Stack, sender: str) -> List[str]:
    return [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def test_callback_channel_end_to_end(channels: Stack, platform: FakePlatform) -> None:
    before = len(platform.requests)
    status = post(f"{channels.rasa_url}/webhooks/callback/webhook",
                  json.dumps({"sender": "callback-1", "message": "how long does mild take?"}).encode(),
                  {"Content-Type": "application/json"})
    assert status == 200
    platform.wait_for(before + 2)
    sent = [json.loads(r["body"]) for r in platform.requests[before:] if r["path"] == "/callback"]
    assert any(m.get("text") for m in sent)
    assert any(m.get("custom", {}).get("topic") for m in sent)
    assert all(m["recipient_id"] == "callback-1" for m in sent)


def twilio_form(sender: str, text: str) -> Dict[str, str]:
    return {"From": sender, "Body": text, "To": "+15550009999", "MessageSid": "SM" + "1" * 32}


def twilio_post(stack: Stack, form: Dict[str, str], signature: str = "") -> int:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature:
        headers["X-Twilio-Signature"] = signature
    return post(f"{stack.rasa_url}/webhooks/twilio/webhook", urllib.parse.urlencode(form).encode(), headers)


def test_twilio_signed_request_is_processed(channels: Stack) -> None:
    url = f"{channels.rasa_url}/webhooks/twilio/webhook"
    form = twilio_form("+15550001001", "could you tell me what the mild procedure actually is?")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, form)
    assert twilio_post(channels, form, signature) == 204
    assert user_texts(channels, "twilio:+15550001001") == ["could you tell me what the mild procedure actually is?"]


@pytest.mark.parametrize("signature", ["", "d3Jvbmc=", "signed-with-another-token"])
def test_twilio_unsigned_or_wrongly_signed_request_is_refused(channels: Stack, signature: str) -> None:
    url = f"{channels.rasa_url}/webhooks/twilio/webhook"
    form = twilio_form("+15550001002", "hello there!")
    if signature == "signed-with-another-token":
        signature = RequestValidator("another-token").compute_signature(url, form)
    assert twilio_post(channels, form, signature) == 403
    assert user_texts(channels, "twilio:+15550001002") == []


def test_twilio_signature_covers_the_body(channels: Stack) -> None:
    url = f"{channels.rasa_url}/webhooks/twilio/webhook"
    signed = twilio_form("+15550001003", "good evening to you")
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, signed)
    assert twilio_post(channels, {**signed, "Body": "something else"}, signature) == 403


def telegram_update(chat_id: int, text: str) -> bytes:
    return json.dumps({"update_id": 1, "message": {"message_id": 5, "date": 0, "text": text,
                                                   "chat": {"id": chat_id, "type": "private"},
                                                   "from": {"id": chat_id, "is_bot": False, "first_name": "P"}}}).encode()


def test_telegram_with_the_secret_token_is_answered(channels: Stack, platform: FakePlatform) -> None:
    before = len(platform.requests)
    update = telegram_update(4242, "are there any risks with mild I should know about?")
    status = post(f"{channels.rasa_url}/webhooks/telegram/webhook", update,
                  {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert status == 200
    platform.wait_for(before + 2)
    new = platform.requests[before:]
    assert all(f"/bot{TELEGRAM_TOKEN}/" in r["path"] for r in new)
    texts = FakePlatform.telegram_texts(new)
    assert texts and any(t.startswith("Sources: ") for t in texts)
    assert not any(t.lstrip().startswith("{") for t in texts)
    assert user_texts(channels, "telegram:4242") == ["are there any risks with mild I should know about?"]


@pytest.mark.parametrize(("secret", "refused", "answered"), [(None, 4343, 4344), ("wrong-secret", 4353, 4354)])
def test_telegram_without_the_secret_token_is_refused(channels: Stack, platform: FakePlatform,
                                                      secret: Optional[str], refused: int, answered: int) -> None:
    url = f"{channels.rasa_url}/webhooks/telegram/webhook"
    before = len(platform.requests)
    headers = {"Content-Type": "application/json"}
    if secret:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    assert post(url, telegram_update(refused, "hello, is anybody reading this?"), headers) == 403
    # Then a signed update: Rasa answers an update before its webhook returns, so once the
    # fake platform has this one's reply, a reply to the refused update would be there too.
    assert post(url, telegram_update(answered, "hello, is anybody reading this?"),
                {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}) == 200
    platform.wait_for(before + 1)
    chats = FakePlatform.telegram_chats(platform.requests[before:])
    assert chats and set(chats) == {answered}, chats
    assert user_texts(channels, f"telegram:{refused}") == []
    assert user_texts(channels, f"telegram:{answered}") == ["hello, is anybody reading this?"]


def slack_headers(body: bytes, secret: str) -> Dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest}"}


def test_slack_needs_its_signing_secret(channels: Stack) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    url = f"{channels.rasa_url}/webhooks/slack/webhook"
    assert post(url, body, {"Content-Type": "application/json"}) == 403
    assert post(url, body, slack_headers(body, "not-the-secret")) == 403
    assert post(url, body, slack_headers(body, SLACK_SECRET)) == 200


def test_messenger_needs_its_app_secret(channels: Stack) -> None:
    body = json.dumps({"object": "page", "entry": []}).encode()
    url = f"{channels.rasa_url}/webhooks/facebook/webhook"
    good = "sha1=" + hmac.new(FACEBOOK_SECRET.encode(), body, hashlib.sha1).hexdigest()
    bad = "sha1=" + hmac.new(b"another", body, hashlib.sha1).hexdigest()
    assert post(url, body, {"Content-Type": "application/json"}) == 403
    assert post(url, body, {"Content-Type": "application/json", "X-Hub-Signature": bad}) == 403
    assert post(url, body, {"Content-Type": "application/json", "X-Hub-Signature": good}) == 200


def test_switched_off_channels_answer_404(stack: Stack) -> None:
    for channel in ("twilio", "telegram", "slack", "facebook", "callback"):
        assert post(f"{stack.rasa_url}/webhooks/{channel}/webhook", b"{}", {"Content-Type": "application/json"}) == 404
