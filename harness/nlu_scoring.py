"""Scoring replies to single messages: what the harnesses and `make bench` count.

A reply (the bot's messages for one patient message) is judged by its custom
payloads only (message-contract.md): the first ``topic``, the ``clarify`` lists.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence


def first_topic(reply: Sequence[Dict[str, Any]]) -> Optional[str]:
    for message in reply:
        custom = message.get("custom")
        if isinstance(custom, dict) and "topic" in custom:
            return str(custom["topic"])
    return None


def offered(reply: Sequence[Dict[str, Any]]) -> List[str]:
    """The topics a clarifying question in the reply offers."""
    topics: List[str] = []
    for message in reply:
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("clarify"), list):
            topics.extend(str(t) for t in custom["clarify"])
    return topics


@dataclass
class Score:
    """Counts over topic questions (expected topic known) and no-topic messages."""

    right: Counter = field(default_factory=Counter)
    wrong: Counter = field(default_factory=Counter)
    clarified: Counter = field(default_factory=Counter)  # no answer, but the right topic offered
    asked: Counter = field(default_factory=Counter)
    safe: int = 0
    no_topic: int = 0
    no_topic_clarified: int = 0

    def add_topic(self, expected: str, reply: Sequence[Dict[str, Any]]) -> str:
        self.asked[expected] += 1
        got = first_topic(reply)
        if got == expected:
            self.right[expected] += 1
            return "right"
        if got is not None:
            self.wrong[expected] += 1
            return "wrong"
        if expected in offered(reply):
            self.clarified[expected] += 1
            return "clarified"
        return "none"

    def add_no_topic(self, reply: Sequence[Dict[str, Any]]) -> bool:
        self.no_topic += 1
        self.no_topic_clarified += bool(offered(reply))
        ok = first_topic(reply) is None
        self.safe += ok
        return ok

    @property
    def total(self) -> int:
        return sum(self.asked.values())

    def rate(self, counter: Counter) -> float:
        return sum(counter.values()) / self.total if self.total else 0.0

    @property
    def accuracy(self) -> float:
        return self.rate(self.right)

    @property
    def wrong_rate(self) -> float:
        return self.rate(self.wrong)

    @property
    def clarify_rate(self) -> float:
        return self.rate(self.clarified)

    @property
    def right_or_offered(self) -> float:
        return self.accuracy + self.clarify_rate

    @property
    def safe_rate(self) -> float:
        return self.safe / self.no_topic if self.no_topic else 0.0

    def summary(self) -> str:
        return (
            f"topic questions {self.total}: right {self.accuracy:.1%}, right or offered {self.right_or_offered:.1%}, "
            f"clarified {self.clarify_rate:.1%}, wrong {self.wrong_rate:.1%}; "
            f"no-topic messages {self.no_topic}: without a topic {self.safe_rate:.1%} "
            f"(a clarifying question {self.no_topic_clarified})"
        )

    def per_topic(self) -> List[str]:
        lines = [f"{'topic':26} {'n':>3} {'right':>6} {'clarif':>6} {'wrong':>6}"]
        for topic in sorted(self.asked):
            n = self.asked[topic]
            lines.append(
                f"{topic:26} {n:3d} {self.right[topic] / n:6.0%} {self.clarified[topic] / n:6.0%} {self.wrong[topic] / n:6.0%}"
            )
        return lines
