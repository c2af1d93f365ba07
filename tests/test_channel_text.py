"""Text-only rendering of quick replies and custom payloads, and Twilio's outbound messages."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Dict, List

from twilio.http.response import Response

from bot.core.channel_text import ChoiceMemory, numbered_choices, plain_custom, text_with_choices
from bot.rasa_ext.channels.messaging import ClinicTwilioOutput, telegram_message

YES_NO_UNSURE = [{"title": "Yes", "payload": "Yes"}, {"title": "No", "payload": "No"},
                 {"title": "Not sure", "payload": "Not sure"}]


def test_buttons_become_one_numbered_line() -> None:
    assert numbered_choices(YES_NO_UNSURE) == "Reply 1 for Yes, 2 for No or 3 for Not sure."
    assert numbered_choices([{"title": "OK"}]) == "Reply 1 for OK."
    assert numbered_choices([]) == ""
    assert text_with_choices("Shall we begin? ", YES_NO_UNSURE).splitlines() == [
        "Shall we begin?", "Reply 1 for Yes, 2 for No or 3 for Not sure."]


def test_a_number_is_the_payload_of_that_choice() -> None:
    memory = ChoiceMemory()
    memory.remember("+15550001", [{"title": "Yes, let's start", "payload": "/affirm"},
                                  {"title": "Not now", "payload": "/deny"}])
    assert memory.resolve("+15550001", "1") == "/affirm"
    assert memory.resolve("+15550001", " 2. ") == "/deny"
    assert memory.resolve("+15550001", "3") == "3"  # no third choice: left to the assistant
    assert memory.resolve("+15550001", "1 hour") == "1 hour"
    assert memory.resolve("+15550002", "1") == "1"  # someone else's buttons
    memory.forget("+15550001")
    assert memory.resolve("+15550001", "1") == "1"


def test_choice_memory_is_bounded() -> None:
    memory = ChoiceMemory(max_senders=2)
    for sender in ("a", "b", "c"):
        memory.remember(sender, YES_NO_UNSURE)
    assert memory.resolve("a", "1") == "1" and memory.resolve("c", "1") == "Yes"


def test_custom_payloads_become_a_sources_line_or_nothing() -> None:
    line = plain_custom({"topic": "recovery_time", "sources": ["patient-guide", "clinical-summary"]})
    assert line.startswith("Sources: mild Procedure for Lumbar Spinal Stenosis") and "{" not in line
    assert plain_custom({"questionnaire": {"item": "q1", "step": 2, "of": 14}}) == ""
    assert plain_custom({"alert": "emergency"}) == ""


def test_telegram_updates() -> None:
    assert telegram_message({"message": {"chat": {"id": 42}, "text": "hi"}}) == ("42", "hi")
    assert telegram_message({"callback_query": {"data": "/affirm", "message": {"chat": {"id": 7}}}}) == ("7", "/affirm")
    assert telegram_message({"message": {"chat": {"id": 42}, "sticker": {}}}) == ("42", None)
    assert telegram_message("nonsense") == (None, None)
    assert telegram_message({"message": "x"}) == (None, None)


class RecordingTwilioHttp:
    """Twilio's HTTP boundary: what the connector hands Twilio's REST API."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: List[Dict[str, Any]] = []
        self.fail = fail

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        if self.fail:
            raise ConnectionError("network down")
        self.sent.append({"method": method, "url": url, "data": dict(data or {})})
        return Response(201, json.dumps({"sid": "SM0001", "status": "queued"}))


def send(output: ClinicTwilioOutput, message: Dict[str, Any]) -> None:
    asyncio.run(output.send_response("+15550001111", message))


def test_twilio_sends_numbered_choices_and_no_json() -> None:
    http = RecordingTwilioHttp()
    output = ClinicTwilioOutput("AC" + "0" * 32, "token", "+15550009999", ChoiceMemory(), http_client=http)
    send(output, {"text": "Does it get worse when you walk?", "buttons": YES_NO_UNSURE,
                  "custom": {"questionnaire": {"item": "q2", "step": 3, "of": 14}}})
    send(output, {"text": "Most people go home the same day.",
                  "custom": {"topic": "recovery_time", "sources": ["patient-guide"]}})
    bodies = [m["data"]["Body"] for m in http.sent]
    assert bodies[0] == "Does it get worse when you walk?\nReply 1 for Yes, 2 for No or 3 for Not sure."
    assert bodies[1] == "Most people go home the same day."
    assert bodies[2].startswith("Sources: ")
    assert all("{" not in b for b in bodies) and len(bodies) == 3
    assert all(m["data"]["To"] == "+15550001111" and m["data"]["From"] == "+15550009999" for m in http.sent)
    assert http.sent[0]["url"].endswith("/Messages.json")
    assert output.choices.resolve("+15550001111", "2") == "No"


def test_twilio_down_is_logged_not_raised(caplog) -> None:
    output = ClinicTwilioOutput("AC" + "0" * 32, "token", "+15550009999", ChoiceMemory(),
                                http_client=RecordingTwilioHttp(fail=True))
    send(output, {"text": "Hello from the clinic"})
    assert "Twilio did not take a message" in caplog.text and "+1555" not in caplog.text
