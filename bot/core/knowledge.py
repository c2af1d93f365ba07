"""The knowledge catalog: which topics the assistant answers and from which sources.

The catalog (``bot/core/catalog.yml``) is the project's own copy of the contract's
topic ids and source registry. Each topic is answered by the domain response
``utter_faq_<id>`` after the intent ``faq_<id>``; its custom payload is
``{"topic": id, "sources": [...]}`` (message-contract.md).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml
from pydantic import BaseModel, validator

from bot.core import names

CATALOG_FILE = Path(__file__).resolve().parent / "catalog.yml"
INTENT_PREFIX = names.FAQ_PREFIX
RESPONSE_PREFIX = names.FAQ_RESPONSE_PREFIX


class Source(BaseModel):
    id: str
    title: str


class Topic(BaseModel):
    id: str
    question: str
    sources: Tuple[str, ...]

    @validator("sources")
    def _some_sources(cls, value: Tuple[str, ...]) -> Tuple[str, ...]:  # noqa: N805
        if not value:
            raise ValueError("a topic needs at least one source")
        return value

    @property
    def intent(self) -> str:
        return names.faq_intent(self.id)

    @property
    def response(self) -> str:
        return names.faq_response(self.id)

    def payload(self) -> Dict[str, object]:
        """The custom payload every answer about this topic carries."""
        return {"topic": self.id, "sources": list(self.sources)}


class Catalog(BaseModel):
    # sources first: pydantic validates fields in order and topics refer to them
    sources: Dict[str, Source]
    topics: Tuple[Topic, ...]

    @validator("sources", pre=True)
    def _source_ids(cls, value: Dict[str, Dict[str, str]]) -> Dict[str, Source]:  # noqa: N805
        return {sid: Source(id=sid, **data) for sid, data in value.items()}

    @validator("topics")
    def _consistent(cls, topics: Tuple[Topic, ...], values: Dict) -> Tuple[Topic, ...]:  # noqa: N805
        ids = [t.id for t in topics]
        if len(ids) != len(set(ids)):
            raise ValueError("topic ids must be unique")
        known = set(values.get("sources") or {})
        for topic in topics:
            unknown = set(topic.sources) - known
            if unknown:
                raise ValueError(f"topic {topic.id} names unknown sources {sorted(unknown)}")
        return topics

    def topic(self, topic_id: str) -> Topic:
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise KeyError(topic_id)

    @property
    def topic_ids(self) -> List[str]:
        return [t.id for t in self.topics]


def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Catalog(sources=data["sources"], topics=data["topics"])


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    return load_catalog()
