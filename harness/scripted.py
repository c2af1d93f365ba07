"""Scripted patient conversations for the scale-out test and the load benchmark.

A script reacts to what the assistant asks (the questionnaire payloads), so that a
conversation still ends where it should when a message had to be re-sent, and it
records every message it sent, so the tracker store can be compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from harness.stack import payload_values

Reply = List[Dict[str, Any]]
Send = Callable[[str], Reply]

# A patient whose answers make a consultation worth suggesting.
TYPICAL_ANSWERS = {
    "red_flags": "no", "q1": "yes", "q2": "yes", "q3": "sometimes", "q4": "yep", "q5": "no", "q6": "no",
    "q7": "no", "q8": "no", "q9": "no", "q10": "no", "walking_minutes": "about ten minutes",
    "conservative_care": "nothing yet", "imaging": "no",
}

QUESTIONS = [
    "what is mild?", "how long is recovery?", "is it painful?", "what are the risks?",
    "will i need stitches?", "can i drive home after?", "how long does the procedure take?",
    "am i a candidate?", "whats spinal stenosis", "does insurance cover it",
]


class ScriptError(AssertionError):
    """The assistant did not answer as the script expects; the message has the transcript."""


@dataclass
class Transcript:
    sent: List[str] = field(default_factory=list)
    replies: List[Reply] = field(default_factory=list)
    reference: Optional[str] = None

    def text(self) -> str:
        lines = []
        for said, reply in zip(self.sent, self.replies, strict=True):
            lines.append(f"> {said}")
            lines.extend(f"< {m.get('text', '')} {m.get('custom', '')}".rstrip() for m in reply)
        return "\n".join(lines)


def _texts(reply: Reply) -> str:
    return " ".join(m.get("text") or "" for m in reply)


def _asked(reply: Reply) -> Optional[str]:
    items = payload_values(reply, "questionnaire")
    return items[-1]["item"] if items else None


class _Conversation:
    def __init__(self, send: Send) -> None:
        self.send = send
        self.transcript = Transcript()

    def say(self, text: str) -> Reply:
        reply = self.send(text)
        self.transcript.sent.append(text)
        self.transcript.replies.append(reply)
        return reply

    def expect(self, reply: Reply, wanted: str) -> None:
        if wanted.lower() not in _texts(reply).lower():
            raise ScriptError(f"expected {wanted!r} in the reply\n{self.transcript.text()}")


def questions(send: Send, count: int = 3, start: int = 0) -> Transcript:
    """A patient asking ``count`` questions about the procedure; each gets a topic."""
    talk = _Conversation(send)
    for i in range(count):
        reply = talk.say(QUESTIONS[(start + i) % len(QUESTIONS)])
        if not payload_values(reply, "topic") and "clinic" not in _texts(reply).lower():
            raise ScriptError(f"no answer to a question\n{talk.transcript.text()}")
    return talk.transcript


def questionnaire_with_request(send: Send, name: str, contact: str, question: bool = True,
                               time: str = "weekday mornings", consent: bool = True) -> Transcript:
    """Greeting, optionally a question, the whole questionnaire, and a consultation request
    (with ``consent=False``: refused at the last question, so no reference)."""
    talk = _Conversation(send)
    talk.say("hi")
    if question:
        questions_reply = talk.say("how long is recovery?")
        if not payload_values(questions_reply, "topic"):
            raise ScriptError(f"no answer to a question\n{talk.transcript.text()}")
    talk.expect(talk.say("can you check my symptoms?"), "not a diagnosis")
    reply = talk.say("yes")
    for _ in range(3 * len(TYPICAL_ANSWERS)):
        item = _asked(reply)
        if item is None:
            break
        reply = talk.say(TYPICAL_ANSWERS[item])
    if not payload_values(reply, "questionnaire_result"):
        raise ScriptError(f"the questionnaire did not end with a result\n{talk.transcript.text()}")
    talk.expect(talk.say("yes please"), "name")
    talk.expect(talk.say(name), "phone number or e-mail")
    talk.say(contact)
    talk.say(time)
    done = talk.say("Yes, I agree" if consent else "No")
    if not consent:
        return talk.transcript
    references = payload_values(done, "consultation_request")
    if not references:
        raise ScriptError(f"no consultation request was confirmed\n{talk.transcript.text()}")
    talk.transcript.reference = references[-1]["reference"]
    return talk.transcript
