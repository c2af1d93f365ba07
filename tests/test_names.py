"""Every name Python code uses exists in domain.yml: bot/core/names.py, its families, and the
``"utter_..."`` literals left in bot/ and actions/."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from actions.consultation import CONTACT_SLOTS
from bot import PROJECT_ROOT
from bot.core import names
from bot.core.knowledge import get_catalog
from bot.core.questionnaire import ITEM_ORDER, Advice, Outcome

# Rasa's own names, not listed in the domain; prefixes of a family (checked member by member below).
NOT_IN_DOMAIN = {"NLU_FALLBACK", "FAQ_PREFIX", "FAQ_RESPONSE_PREFIX"}
RESPONSE = re.compile(r"^utter_[a-z0-9_]+$")
# Strings that look like a response name and are not one: the key Rasa's bot events carry.
NOT_A_RESPONSE = {"utter_action"}


def _domain() -> Dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


DOMAIN = _domain()
INTENTS: Set[str] = {i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]}
SLOTS: Set[str] = set(DOMAIN["slots"])
RESPONSES: Set[str] = set(DOMAIN["responses"])
ACTIONS: Set[str] = set(DOMAIN["actions"])


def _constants() -> Iterator[Tuple[str, Any]]:
    for attr in sorted(vars(names)):
        if attr.isupper() and attr not in NOT_IN_DOMAIN:
            yield attr, getattr(names, attr)


def _kind(attr: str) -> Set[str]:
    if attr.startswith("UTTER_"):
        return RESPONSES
    if attr.endswith("_SLOT"):
        return SLOTS
    if attr.startswith("ACTION_"):
        return ACTIONS
    return INTENTS


@pytest.mark.parametrize(("attr", "value"), list(_constants()))
def test_every_name_is_in_the_domain(attr: str, value: Any) -> None:
    values = [value] if isinstance(value, str) else list(value)
    known = _kind(attr)
    missing = [v for v in values if v not in known and not (v == names.FAQ_PREFIX)]
    assert not missing, f"names.{attr}: {missing} not in domain.yml"


def test_the_names_module_covers_intents_slots_and_responses() -> None:
    kinds = {id(_kind(attr)) for attr, _ in _constants()}
    assert kinds == {id(INTENTS), id(SLOTS), id(RESPONSES), id(ACTIONS)}


def _families() -> List[Tuple[str, str]]:
    catalog = get_catalog()
    members = [("faq_intent", names.faq_intent(t.id)) for t in catalog.topics]
    members += [("faq_response", names.faq_response(t.id)) for t in catalog.topics]
    members += [("ask_response", names.ask_response(slot)) for slot in (*ITEM_ORDER, *CONTACT_SLOTS)]
    members += [("result_response", names.result_response(o.value)) for o in Outcome]
    members += [("advice_response", names.advice_response(a.value)) for a in Advice]
    return members


@pytest.mark.parametrize(("family", "name"), _families())
def test_every_family_member_is_in_the_domain(family: str, name: str) -> None:
    known = INTENTS if family == "faq_intent" else RESPONSES
    assert name in known, f"{family}: {name} not in domain.yml"


def test_families_are_the_catalog_topics() -> None:
    topics = {t.id for t in get_catalog().topics}
    assert {i[len(names.FAQ_PREFIX):] for i in INTENTS if names.is_faq_intent(i)} == topics
    assert {r[len(names.FAQ_RESPONSE_PREFIX):] for r in RESPONSES if r.startswith(names.FAQ_RESPONSE_PREFIX)} == topics


def _response_literals() -> List[Tuple[str, int, str]]:
    """Every whole string literal that looks like a response name (not parts of f-strings)."""
    found = []
    for path in sorted([*(PROJECT_ROOT / "bot").rglob("*.py"), *(PROJECT_ROOT / "actions").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings
                    and RESPONSE.match(node.value) and node.value not in NOT_A_RESPONSE):
                found.append((str(Path(path).relative_to(PROJECT_ROOT)), node.lineno, node.value))
    return found


def test_response_literals_are_found() -> None:
    assert any(value == names.UTTER_EMERGENCY for _, _, value in _response_literals())


@pytest.mark.parametrize(("path", "line", "value"), _response_literals())
def test_every_response_literal_is_in_the_domain(path: str, line: int, value: str) -> None:
    assert value in RESPONSES, f"{path}:{line}: {value} not in domain.yml"
