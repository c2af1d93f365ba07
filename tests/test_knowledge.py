"""The knowledge catalog model: loading, validation and the names and payloads it derives."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.core.knowledge import CATALOG_FILE, Catalog, Topic, load_catalog

CATALOG = """
sources:
  guide: {title: Patient guide}
  atlas: {title: Procedure atlas}
topics:
- {id: what_is_mild, question: "What is mild?", sources: [guide, atlas]}
- {id: risks, question: "What are the risks?", sources: [atlas]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_catalog_file_loads_with_its_sources_and_topics_in_order(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, CATALOG))
    assert {sid: (s.id, s.title) for sid, s in catalog.sources.items()} == {
        "guide": ("guide", "Patient guide"), "atlas": ("atlas", "Procedure atlas")}
    assert catalog.topic_ids == ["what_is_mild", "risks"]
    risks = catalog.topic("risks")
    assert (risks.id, risks.question, risks.sources) == ("risks", "What are the risks?", ("atlas",))
    assert risks.intent == "faq_risks" and risks.response == "utter_faq_risks"
    assert catalog.topic("what_is_mild").payload() == {"topic": "what_is_mild", "sources": ["guide", "atlas"]}


def test_an_unknown_topic_is_a_key_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="nope"):
        load_catalog(write(tmp_path, CATALOG)).topic("nope")


def test_the_project_catalog_loads_from_its_default_place() -> None:
    assert CATALOG_FILE.name == "catalog.yml"
    assert "what_is_mild" in load_catalog().topic_ids


def test_a_topic_needs_a_source() -> None:
    with pytest.raises(ValidationError, match="at least one source"):
        Topic(id="risks", question="?", sources=())


def test_topic_ids_are_unique() -> None:
    with pytest.raises(ValidationError, match="topic ids must be unique"):
        Catalog(sources={"a": {"title": "A"}},
                topics=[{"id": "x", "question": "?", "sources": ["a"]}, {"id": "x", "question": "??", "sources": ["a"]}])


def test_a_topic_may_name_only_known_sources() -> None:
    with pytest.raises(ValidationError, match=r"topic x names unknown sources \['b', 'c'\]"):
        Catalog(sources={"a": {"title": "A"}}, topics=[{"id": "x", "question": "?", "sources": ["c", "a", "b"]}])
