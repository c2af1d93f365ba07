"""Privacy, end to end: 'forget me' deletes the conversation and its request; logs hold no personal data."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List

import pytest

from bot import PROJECT_ROOT
from harness.scripted import questionnaire_with_request
from harness.stack import Stack

pytestmark = pytest.mark.server

NAME = "Rosalind Featherstone"
PHONE = "555 867 5309"
EMAIL = "rosalind.featherstone@example.org"
# how they could show up in a log, whatever the formatting
PERSONAL = re.compile(r"rosalind|featherstone|867\D?5309|example\.org", re.IGNORECASE)


def texts(reply: List[Dict]) -> str:
    return " ".join(m.get("text", "") for m in reply)


def events(stack: Stack, sender: str) -> int:
    return stack.count("SELECT COUNT(*) FROM events WHERE sender_id = :s", sender)


def requests(stack: Stack, sender: str) -> int:
    return stack.count("SELECT COUNT(*) FROM consultation_requests WHERE conversation_id = :s", sender)


def test_forget_me_deletes_the_conversation_and_the_request(stack: Stack, sender: str) -> None:
    done = questionnaire_with_request(lambda text: stack.send(sender, text), "Ann Lee", "ann.lee@example.com")
    assert done.reference and requests(stack, sender) == 1 and events(stack, sender) > 50
    asked = stack.send(sender, "could you delete all of my data?")
    assert "delete this conversation and any consultation request" in texts(asked)
    assert "have been deleted" in texts(stack.send(sender, "yes, go ahead"))
    assert events(stack, sender) == 0 and requests(stack, sender) == 0
    # the patient can start again, in a new, empty conversation
    assert "automated assistant" in texts(stack.send(sender, "hi, I'm back"))
    said = [e.get("text") for e in stack.tracker(sender)["events"] if e["event"] == "user"]
    assert said == ["hi, I'm back"]


def said(stack: Stack, sender: str) -> List[str]:
    return [e["text"] for e in stack.tracker(sender)["events"] if e["event"] == "user"]


def responses(stack: Stack, sender: str) -> List[str]:
    """The domain responses of the latest turn."""
    events = stack.tracker(sender)["events"]
    start = max(i for i, e in enumerate(events) if e["event"] == "user")
    return [e["metadata"].get("utter_action") for e in events[start:] if e["event"] == "bot"]


def test_forget_me_declined_deletes_nothing(stack: Stack, sender: str) -> None:
    done = questionnaire_with_request(lambda text: stack.send(sender, text), "Ann Lee", "ann.lee@example.com")
    # there is something to delete: the conversation and a consultation request
    before, messages = events(stack, sender), said(stack, sender)
    assert done.reference and requests(stack, sender) == 1 and before > 50 and messages == done.sent
    stack.send(sender, "I want everything you hold about me wiped")
    assert responses(stack, sender) == ["utter_ask_forget"]
    stack.send(sender, "no thanks, keep my data")
    assert responses(stack, sender) == ["utter_forget_cancelled"]
    # all of it is still there, and the conversation goes on
    assert requests(stack, sender) == 1 and events(stack, sender) > before
    assert said(stack, sender) == [*messages, "I want everything you hold about me wiped", "no thanks, keep my data"]


def test_forget_me_in_the_middle_of_the_questionnaire(stack: Stack, sender: str) -> None:
    stack.send(sender, "could you go through my symptoms with me?")
    stack.send(sender, "yes, let's start")
    stack.send(sender, "no, I don't have any of that")
    asked = stack.send(sender, "I changed my mind, delete everything I told you")
    assert "delete this conversation" in texts(asked)
    assert "have been deleted" in texts(stack.send(sender, "yes delete it"))
    assert events(stack, sender) == 0


def consultation_requests_with_personal_data(stack: Stack) -> List[str]:
    """Two patients give their name and contact, then have it all deleted; their references."""
    references = []
    for n, contact in enumerate([PHONE, EMAIL]):
        sender = f"privacy-{n}-{stack.rasa_port}"
        done = questionnaire_with_request(lambda text, s=sender: stack.send(s, text), NAME, contact)
        assert done.reference and NAME in done.sent and contact in done.sent
        stack.send(sender, "forget about me")
        assert "have been deleted" in texts(stack.send(sender, "yes, delete all of it"))
        references.append(done.reference)
    return references


def assert_no_personal_data(*logs: Path) -> None:
    # the pattern does find what the patients gave, however it is written
    assert all(PERSONAL.search(value) for value in (NAME, NAME.upper(), PHONE, "555-867-5309", EMAIL))
    for log in logs:
        found = [line for line in log.read_text(errors="replace").splitlines() if PERSONAL.search(line)]
        assert not found, f"{log.name}:\n" + "\n".join(found[:5])


def assert_the_turns_were_logged(actions_log: str, references: List[str]) -> None:
    """The log that holds no personal data is the one the turns wrote to: each request's lines are in it."""
    for reference in references:
        assert f"Consultation request {reference} stored." in actions_log, reference
    assert actions_log.count("Deleted 1 consultation request(s) at the patient's request.") >= len(references)


def test_no_personal_data_in_the_logs_at_info(stack: Stack) -> None:
    references = consultation_requests_with_personal_data(stack)
    assert_the_turns_were_logged((stack.workdir / "actions.log").read_text(), references)
    assert_no_personal_data(stack.workdir / "rasa.log", stack.workdir / "actions.log")


def test_no_personal_data_in_the_logs_with_our_loggers_at_debug(trained_model: Path, tmp_path: Path) -> None:
    debug = Stack(workdir=tmp_path, model_dir=trained_model,
                  extra_env={"LOGGING_CONFIG": str(PROJECT_ROOT / "deploy" / "logging-debug.yml")})
    try:
        debug.start()
        references = consultation_requests_with_personal_data(debug)
    finally:
        debug.stop()
    actions_log = (tmp_path / "actions.log").read_text()
    # our loggers did write, at DEBUG too (format of deploy/logging-debug.yml)
    assert "DEBUG   actions.questionnaire - Questionnaire: asked q1" in actions_log
    assert "DEBUG   actions.consultation - Consultation form: contact accepted (phone)" in actions_log
    assert_the_turns_were_logged(actions_log, references)
    assert_no_personal_data(tmp_path / "rasa.log", tmp_path / "actions.log")
