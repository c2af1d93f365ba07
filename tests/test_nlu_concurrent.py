"""Two messages read at once on the trained model give what each gives alone (bot/rasa_ext/nlu_thread.py).

The server reads messages on two NLU threads. Its components were checked to share, between
messages, only what loading left and caches keyed by what they return; this test is the check on
the real thing: the validation set parsed through ``/model/parse`` one message at a time, then
eight at a time, must give equal results, field for field. Among them are messages read a
second time by the larger encoder (the second reading).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from harness.stack import Stack

VALIDATION = Path(__file__).resolve().parent / "data" / "validation.yml"


def messages() -> List[str]:
    found: List[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(VALIDATION.read_text(encoding="utf-8")))
    return found


@pytest.mark.server
def test_messages_read_at_once_give_what_each_gives_alone(stack: Stack) -> None:
    texts = messages()[::5][:240]  # every fifth: all topics, the unanswerable and the alerts, not the first few topics
    assert len(texts) == 240
    alone: List[Dict[str, Any]] = [stack.parse(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as clients:
        together = list(clients.map(stack.parse, texts))
    for text, one, other in zip(texts, alone, together, strict=True):
        assert one == other, text
    assert len({p["intent"]["name"] for p in alone}) > 10  # real parses of many kinds
    # the served model reads the messages it is unsure of a second time, with the larger encoder
    # (bot/encoders.py), on both threads too
    assert sum("second" in (p.get("understanding") or {}) for p in alone) >= 3
