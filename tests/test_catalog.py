"""The catalog, the domain answers, the training data and the rules stay in step."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Dict, List

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.core.knowledge import get_catalog

# The contract's topic ids (knowledge-topics.yml); tests outside the project use them.
CONTRACT_TOPICS = [
    "what_is_mild", "what_is_lss", "causes_of_lss", "ligamentum_flavum", "neurogenic_claudication",
    "vascular_vs_neurogenic", "how_procedure_works", "incision_size", "anesthesia", "procedure_duration",
    "outpatient_same_day", "implants", "recovery_time", "return_to_work", "when_improvement",
    "pain_after_and_medication", "risks", "safety_evidence", "effectiveness", "benefits",
    "vs_traditional_surgery", "candidates", "not_suitable", "imaging_required", "alternatives",
    "fda_status", "lss_levels", "physical_therapy_after",
]
CONTRACT_SOURCES = {"clinical-summary", "patient-guide", "anchor-healthcare", "procedure-atlas"}
# The product contract and its source documents, beside the project on the team's machine. Tests
# that need them skip without them; the facts the project needs are copied in FACTS_COPY.
SHARED = PROJECT_ROOT / ".." / "shared"
CONTRACT = SHARED / "spec" / "knowledge-topics.yml"
SEEDS = SHARED / "seeds"
FACTS_COPY = PROJECT_ROOT / "tests" / "data" / "knowledge_facts.yml"


@pytest.fixture(scope="module")
def domain() -> Dict:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def facts() -> Dict[str, List[str]]:
    """Each topic's facts: from the contract when it is present, else from the project's copy."""
    path = CONTRACT if CONTRACT.is_file() else FACTS_COPY
    return {t["id"]: t["facts"] for t in yaml.safe_load(path.read_text(encoding="utf-8"))["topics"]}


@pytest.fixture(scope="module")
def examples() -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
                found.setdefault(block["intent"], []).extend(lines)
    return found


def test_catalog_has_exactly_the_contract_topics_and_sources() -> None:
    catalog = get_catalog()
    assert catalog.topic_ids == CONTRACT_TOPICS
    assert set(catalog.sources) == CONTRACT_SOURCES


@pytest.mark.parametrize("topic_id", CONTRACT_TOPICS)
def test_every_topic_has_an_answer_with_its_payload(domain: Dict, topic_id: str) -> None:
    topic = get_catalog().topic(topic_id)
    variations = domain["responses"][topic.response]
    for variation in variations:
        assert len(variation["text"]) > 20
        assert variation["custom"] == {"topic": topic_id, "sources": list(topic.sources)}
        assert set(variation["custom"]["sources"]) <= CONTRACT_SOURCES


@pytest.mark.parametrize("topic_id", CONTRACT_TOPICS)
def test_every_topic_has_varied_training_examples(examples: Dict[str, List[str]], topic_id: str) -> None:
    lines = examples[f"faq_{topic_id}"]
    assert len(lines) >= 15
    assert len(set(map(str.lower, lines))) == len(lines)


@pytest.mark.parametrize("topic_id", CONTRACT_TOPICS)
def test_every_topic_intent_is_answered_by_a_rule(topic_id: str) -> None:
    rules = []
    for path in (PROJECT_ROOT / "data" / "rules").glob("*.yml"):
        rules += yaml.safe_load(path.read_text())["rules"]
    openings = [r["steps"][:2] for r in rules if "condition" not in r]
    assert [{"intent": f"faq_{topic_id}"}, {"action": f"utter_faq_{topic_id}"}] in openings


_NUMBER_WORDS = {
    word: value for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split())
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
     "hundred": 100, "thousand": 1000, "dozen": 12, "half": 0.5, "once": 1, "twice": 2}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


def numbers(text: str) -> set:
    """Every number a text gives: digits (5.1, 40%, L4-5, SF-12v2), number words (three, twelve) and
    Roman numerals after "grade" or a study name (grade II, MiDAS I). "one" as a pronoun
    ("no one", "which one") is not a number."""
    text = re.sub(r"\b(?:no|any|each|every|which|this|that|the|a)\s+one\b", " ", text.lower())
    found = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}
    found |= {float(_NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", text) if w in _NUMBER_WORDS}
    found |= {float(_ROMAN[r]) for r in re.findall(r"\b(?:grade|midas)\s+(i{1,3}|iv|v)\b", text)}
    return found


def test_numbers_are_found_in_every_form() -> None:
    assert numbers("About 5.1 mm; 40% at 6 weeks; L4-5; grade II; MiDAS I; three to twelve months") == {
        5.1, 40, 6, 4, 5, 2, 1, 3, 12}
    assert numbers("No one needed it, and this one is not a number; one study is.") == {1}
    assert numbers("It usually takes less than an hour.") == set()


@pytest.mark.parametrize("topic_id", CONTRACT_TOPICS)
def test_every_number_in_an_answer_is_one_of_its_topic_facts(domain: Dict, facts: Dict[str, List[str]],
                                                              topic_id: str) -> None:
    given = numbers(" ".join(facts[topic_id]))
    for variation in domain["responses"][f"utter_faq_{topic_id}"]:
        invented = numbers(variation["text"]) - given
        assert not invented, f"utter_faq_{topic_id} gives {sorted(invented)}, not in its facts {sorted(given)}"


def test_the_facts_copy_equals_the_contract() -> None:
    if not CONTRACT.is_file():
        pytest.skip("the contract is not beside the project")
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    copy = yaml.safe_load(FACTS_COPY.read_text(encoding="utf-8"))
    assert copy["topics"] == [{"id": t["id"], "facts": t["facts"]} for t in contract["topics"]]
    catalog = get_catalog()
    assert [(t.id, t.question, list(t.sources)) for t in catalog.topics] == [
        (t["id"], t["question"], t["sources"]) for t in contract["topics"]]
    assert {sid: s.title for sid, s in catalog.sources.items()} == {
        sid: s["title"] for sid, s in contract["sources"].items()}


def _words(text: str) -> List[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


def test_no_answer_copies_a_run_of_8_words_from_a_source(domain: Dict) -> None:
    """Answers are in the project's own words: no 8 words in a row as a source document has them."""
    if not SEEDS.is_dir():
        pytest.skip("the source documents are not beside the project")
    runs = set()
    for path in SEEDS.glob("*.txt"):
        words = _words(path.read_text(encoding="utf-8"))
        runs |= {tuple(words[i:i + 8]) for i in range(len(words) - 7)}
    assert len(runs) > 1000
    for topic_id in CONTRACT_TOPICS:
        for variation in domain["responses"][f"utter_faq_{topic_id}"]:
            words = _words(variation["text"])
            copied = [" ".join(words[i:i + 8]) for i in range(len(words) - 7) if tuple(words[i:i + 8]) in runs]
            assert not copied, f"utter_faq_{topic_id} copies a source: {copied}"


def test_every_payload_in_the_domain_fits_the_message_contract(domain: Dict) -> None:
    allowed = {
        "topic": lambda p: set(p) == {"topic", "sources"} and p["topic"] in CONTRACT_TOPICS,
        "fallback": lambda p: set(p) == {"fallback"}
        and p["fallback"] in {"not_in_sources", "out_of_scope", "not_understood"},
        "alert": lambda p: set(p) == {"alert"} and p["alert"] in {"emergency", "crisis"},
        "questionnaire": lambda p: set(p) == {"questionnaire"} and set(p["questionnaire"]) == {"item", "step", "of"},
        # a message over the length limit (issue 18; bot/rasa_ext/channels/limits.py): not yet in the contract
        "input": lambda p: p == {"input": "too_long"},
    }
    for name, variations in domain["responses"].items():
        for variation in variations:
            custom = variation.get("custom")
            if custom is None:
                continue
            kind = next(iter(k for k in allowed if k in custom), None)
            assert kind is not None and allowed[kind](custom), f"{name}: {custom}"


def test_clinic_placeholders_are_known(domain: Dict) -> None:
    known = {"clinic_name", "clinic_phone", "clinic_website", "clinic_booking_url",
             "emergency_number", "crisis_line", "reference"}  # reference: given by action_submit_consultation
    slots = set(domain.get("slots") or {})
    for name, variations in domain["responses"].items():
        for variation in variations:
            for placeholder in re.findall(r"{(\w+)}", variation.get("text", "")):
                assert placeholder in known | slots, f"{name} uses unknown {{{placeholder}}}"


def test_the_project_does_not_read_the_shared_folder() -> None:
    files = [PROJECT_ROOT / name for name in ("Makefile", "config.yml", "endpoints.yml", "credentials.yml")]
    for folder in ("bot", "actions", "scripts", "bench", "tests"):
        files += [p for p in (PROJECT_ROOT / folder).rglob("*") if p.suffix in {".py", ".sh", ".yml"}]
    assert len(files) > 10
    for path in files:
        if path.name != "test_catalog.py" and "artifacts" not in path.parts:
            assert "../shared" not in path.read_text(encoding="utf-8", errors="ignore"), path


def _responses_used_by_forms_and_actions(domain: Dict) -> set:
    """Responses Rasa 3.6's validator cannot see used: form questions, custom-action and policy responses."""
    from bot.core.questionnaire import Advice, Outcome
    from bot.rasa_ext.policies import STORE_DOWN_RESPONSE, TROUBLE_RESPONSE

    used = {f"utter_ask_{slot}" for form in domain["forms"].values() for slot in form["required_slots"]}
    # the actions, and the forms' decisions they carry out (bot/core/turns.py)
    sources = [*(PROJECT_ROOT / "actions").glob("*.py"), PROJECT_ROOT / "bot" / "core" / "turns.py",
               PROJECT_ROOT / "bot" / "rasa_ext" / "reply_policy.py"]  # and the yes/no policy's own chains
    code = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    used |= set(re.findall(r'"(utter_[a-z0-9_]+)"', code))
    # the actions name their responses through bot/core/names.py
    from bot.core import names

    used |= {getattr(names, attr) for attr in re.findall(r"\bnames\.(UTTER_[A-Z0-9_]+)\b", code)}
    used |= {f"utter_sshq_result_{o.value}" for o in Outcome} | {f"utter_advice_{a.value}" for a in Advice}
    from bot.core.turns import EXPLAINED_ITEMS

    used |= {names.explain_response(item) for item in EXPLAINED_ITEMS}
    from bot.rasa_ext.channels.limits import TOO_LONG_RESPONSE

    # utter_restart: said by Rasa's own action_restart; the too-long reply: by the channels
    return used | {TROUBLE_RESPONSE, STORE_DOWN_RESPONSE, "utter_restart", TOO_LONG_RESPONSE}


def test_rasa_data_validate_has_no_warnings(domain: Dict) -> None:
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv" / "bin" / "rasa"), "data", "validate", "--fail-on-warnings"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={**os.environ, "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_TELEMETRY_ENABLED": "false"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "UserWarning" in line or "WARNING" in line]
    # Rasa 3.6 flags every response that only a form or a custom action uses as "not used in
    # any story or rule" (RasaHQ/rasa#11843); each such one must really be used there.
    justified = _responses_used_by_forms_and_actions(domain)
    unexplained = [
        line for line in warnings
        if not (m := re.search(r"The utterance '(\w+)' is not used in any story or rule", line)) or m.group(1) not in justified
    ]
    assert not unexplained, "\n".join(unexplained)
