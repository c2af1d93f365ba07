"""rasa-webchat, the third-party Rasa widget clinics already use, against the assistant.

The real client: rasa-webchat at a pinned version from the npm registry
(scripts/webchat.sh, cached in .cache/), embedded with its README's script tag
on a page of an allowed origin, in the Chromium the widget tests use. It starts
with HTTP polling, shows only ``{text}`` and ``{text, quick_replies}`` messages
and drops everything else: every answer, question and alert must still show.
"""

from __future__ import annotations

import json
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot import PROJECT_ROOT
from harness.stack import Stack

pytestmark = pytest.mark.server

SHOTS = PROJECT_ROOT / "tests" / "artifacts" / "webchat"

# rasa-webchat's README, "In a <script> tag", with the script served locally
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A clinic page with rasa-webchat</title></head>
<body><h1>A clinic's page</h1>
<script>!(function () {
  let e = document.createElement("script"),
    t = document.head || document.getElementsByTagName("head")[0];
  (e.src = "/rasa-webchat/lib/index.js"),
    (e.async = !0),
    (e.onload = () => {
      window.WebChat.default(
        {
          initPayload: "/greet",
          socketUrl: %(server)s,
          socketPath: "/socket.io/",
          title: "Clinic assistant",
          params: { storage: "session" },
        },
        null
      );
    }),
    t.insertBefore(e, t.firstChild);
})();
</script></body></html>
"""


@pytest.fixture(scope="module")
def webchat_dir() -> Path:
    """Installed by the project's script (npm, cached), as on a fresh CI machine."""
    result = subprocess.run([str(PROJECT_ROOT / "scripts" / "webchat.sh")], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return Path(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def webchat_page(stack: Stack, webchat_dir: Path, serve_allowed_origin) -> str:
    page = (PAGE % {"server": json.dumps(stack.rasa_url)}).encode()
    script = (webchat_dir / "lib" / "index.js").read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body, kind = {"/": (page, "text/html"), "/rasa-webchat/lib/index.js": (script, "text/javascript")}.get(
                self.path, (b"Not found", "text/plain"))
            self.send_response(200 if body != b"Not found" else 404)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return serve_allowed_origin(Handler)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: List[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    transports: List[str] = []
    page.on("request", lambda r: transports.append(r.url) if "/socket.io/" in r.url else None)
    page.socket_requests = transports
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def bot_events(stack: Stack, page) -> List[Dict[str, Any]]:
    """The bot messages of the page's conversation, from the tracker store."""
    session = page.evaluate("() => JSON.parse(sessionStorage.getItem('chat_session')).session_id")
    conversation = session.split(".")[0]
    return [e for e in stack.tracker(conversation)["events"] if e["event"] == "bot"]


def shown(page) -> str:
    return page.locator(".rw-messages-container").inner_text()


def wait_for_payload(stack: Stack, page, test, timeout_s: float = 30.0) -> Dict[str, Any]:
    """The latest bot message whose custom payload passes ``test``, once it is shown."""
    deadline = page.evaluate("() => Date.now()") + timeout_s * 1000
    while True:
        found = [e for e in bot_events(stack, page) if test((e.get("data") or {}).get("custom") or {})]
        if found and found[-1]["text"].split("\n")[0][:60] in shown(page):
            return found[-1]
        assert page.evaluate("() => Date.now()") < deadline, f"not shown: {found[-1:]}"
        page.wait_for_timeout(250)


def type_message(page, text: str) -> None:
    page.locator(".rw-new-message").fill(text)
    page.locator(".rw-send").click()


def click_reply(page, title: str) -> None:
    page.locator(".rw-replies").last.locator(".rw-reply", has_text=title).first.click()


def test_answers_questions_and_the_emergency_message_all_show(stack: Stack, webchat_page: str, page) -> None:
    page.goto(webchat_page)
    page.locator(".rw-launcher").click()
    page.locator(".rw-response").first.wait_for()  # the greeting
    # it connected the way it always does: HTTP polling first (one CORS layer)
    assert any("transport=polling" in url for url in page.socket_requests)

    # a knowledge answer
    type_message(page, "how long does recovery take after mild?")
    answer = wait_for_payload(stack, page, lambda c: "topic" in c)
    assert answer["data"]["custom"]["sources"]
    shot(page, "answer")

    # the questionnaire: its question with quick replies, answered by a click
    type_message(page, "can you check my symptoms?")
    page.locator(".rw-replies .rw-reply", has_text="Yes, let's start").last.wait_for()
    click_reply(page, "Yes, let's start")
    first = wait_for_payload(stack, page, lambda c: c.get("questionnaire", {}).get("step") == 1)
    page.locator(".rw-replies .rw-reply", has_text="No, none of these").last.wait_for()
    shot(page, "questionnaire-question")
    click_reply(page, "No, none of these")
    second = wait_for_payload(stack, page, lambda c: c.get("questionnaire", {}).get("step") == 2)
    assert second["data"]["custom"]["questionnaire"]["item"] != first["data"]["custom"]["questionnaire"]["item"]
    page.locator(".rw-replies").last.locator(".rw-reply").first.wait_for()
    shot(page, "questionnaire-next-question")

    # the emergency message, in the middle of the questionnaire
    type_message(page, "since this morning I suddenly cannot hold my pee at all")
    wait_for_payload(stack, page, lambda c: c.get("alert") == "emergency")
    shot(page, "emergency")
    assert not [e for e in page.console_errors if "CORS" in e or "Access-Control" in e], page.console_errors
