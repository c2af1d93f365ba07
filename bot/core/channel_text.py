"""Quick replies and custom payloads on channels that show only text (SMS, WhatsApp).

Buttons become one numbered line ("Reply 1 for Yes, 2 for No or 3 for Not sure"),
the number the patient sends back is turned into that button's payload, and a
custom payload becomes at most a plain "Sources: ..." line: never raw JSON.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, List, Mapping, Optional, Sequence

from bot.core.knowledge import get_catalog
from bot.core.language import choose


def numbered_choices(buttons: Sequence[Mapping[str, Any]]) -> str:
    titles = [str(b.get("title", "")).strip() for b in buttons if str(b.get("title", "")).strip()]
    if not titles:
        return ""
    parts = [f"{i} for {title}" for i, title in enumerate(titles, start=1)]
    if len(parts) == 1:
        return f"Reply {parts[0]}."
    return "Reply " + ", ".join(parts[:-1]) + " or " + parts[-1] + "."


def text_with_choices(text: str, buttons: Sequence[Mapping[str, Any]]) -> str:
    choices = numbered_choices(buttons)
    return f"{text.strip()}\n{choices}" if choices else text.strip()


def plain_custom(payload: Mapping[str, Any]) -> str:
    """The part of a custom payload worth showing as text: the sources' titles."""
    sources = payload.get("sources") if isinstance(payload, Mapping) else None
    if not isinstance(sources, list) or not sources:
        return ""
    catalog = get_catalog().sources
    titles = [catalog[s].title if s in catalog else str(s) for s in sources]
    return "Sources: " + "; ".join(titles)


class ChoiceMemory:
    """The buttons last sent to each sender, so that "2" means the second one.

    Bounded (least recently used senders go first) and per process: with several
    Rasa instances, the router sends a sender to one instance (deploy/nginx.conf).
    """

    def __init__(self, max_senders: int = 10_000) -> None:
        self._payloads: OrderedDict[str, List[str]] = OrderedDict()
        self._max = max_senders
        self._lock = threading.Lock()

    def remember(self, sender: str, buttons: Sequence[Mapping[str, Any]]) -> None:
        payloads = [str(b.get("payload") or b.get("title") or "") for b in buttons]
        with self._lock:
            self._payloads[sender] = payloads
            self._payloads.move_to_end(sender)
            while len(self._payloads) > self._max:
                self._payloads.popitem(last=False)

    def forget(self, sender: str) -> None:
        with self._lock:
            self._payloads.pop(sender, None)

    def resolve(self, sender: str, text: Optional[str]) -> Optional[str]:
        """The payload of the numbered choice ``text`` names, else ``text`` itself."""
        with self._lock:
            payloads = self._payloads.get(sender)
        chosen = choose(text, payloads) if payloads else None
        return text if chosen is None else chosen


