from __future__ import annotations

from typing import Optional

import pytest

from bot.core import answers as _answers
from bot.core import safety as _safety
from bot.core.channel_text import ChoiceMemory
from bot.core.language import (
    Style,
    choice_number,
    fold_apostrophes,
    known_word_share,
    normalise,
    vocabulary,
    without_markup,
    words,
    words_outside_markup,
)


def test_words_are_lower_case_letters_only() -> None:
    assert words("How BIG is the cut?? 5.1mm 😀") == ["how", "big", "is", "the", "cut", "mm"]
    assert words("don't") == ["don't"]


def test_known_word_share() -> None:
    vocab = vocabulary(["how long is the recovery", "what is mild"])
    assert known_word_share("how long is recovry", vocab) == 0.75
    assert known_word_share("asdfgh qwerty", vocab) == 0.0
    assert known_word_share("12345 !!!", vocab) == 0.0


def test_fold_apostrophes() -> None:
    assert fold_apostrophes("can\u2019t \u2018x\u2019 it\u02bcs `a\u00b4") == "can't 'x' it's 'a'"
    assert fold_apostrophes(None) == ""  # type: ignore[arg-type]


def test_markup_alone_has_no_words() -> None:
    assert words_outside_markup("<img src=x onerror=alert(1)>") == []
    assert words_outside_markup("<script>alert('x')</script>") == ["alert", "x"]  # text between tags stays
    assert words_outside_markup("<!-- hidden note -->") == []
    assert words_outside_markup("<b>how long</b> is recovery?") == ["how", "long", "is", "recovery"]
    # a "<" that does not open a tag is the patient's own text
    assert words_outside_markup("pain < 3 out of 10, <3 thanks") == ["pain", "out", "of", "thanks"]
    assert without_markup("a<br/>b") == "a b"


# ---------------------------------------------------------------- one normaliser, one choice parser

NORMALISED = [
    # text, ANSWERS style, ALERTS style (before mending)
    ("I DONT know", "i don't know", "i do not know"),
    ("I can\u2019t  feel\nmy legs", "i can't feel my legs", "i cannot feel\nmy legs"),
    ("Im fine :)", "i'm fine :", "i am fine :)"),
    ("we're ok", "we're ok", "we are ok"),
    ("\uff23\uff21\uff2e\uff34 walk", "\uff43\uff41\uff4e\uff54 walk", "cannot walk"),  # full-width: alerts fold it
    ("a\x00b", "a b", "a b"),
    ("", "", ""),
]


@pytest.mark.parametrize(("text", "answers_style", "alerts_style"), NORMALISED)
def test_one_normaliser_two_styles(text: str, answers_style: str, alerts_style: str) -> None:
    assert normalise(text, Style.ANSWERS) == answers_style
    assert normalise(text, Style.ALERTS) == alerts_style


def test_the_callers_use_it() -> None:
    assert _answers._normalise("I DONT know") == normalise("I DONT know", Style.ANSWERS)
    assert _safety.normalise("my bladr") == normalise("my bladr", Style.ALERTS, mend=_safety.mend_word) == "my bladder"


CHOICES = [
    # what the patient sends -> the choice it names (None: not a choice; the assistant reads the words)
    ("2", 2),
    (" 2 ", 2),
    ("2.", 2),
    ("2)", 2),
    ("#2", 2),
    ("# 2", 2),
    ("option 2", 2),  # text-only channels used to pass this on as words; a patient means choice 2
    ("Option 2", 2),
    ("option2", 2),
    ("2\n", 2),
    ("12", 12),
    ("the second one", None),  # words: left to the classifier and the answer parsers
    ("two", None),
    ("2 minutes", None),
    ("123", None),
    ("option", None),
    ("#", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "number"), CHOICES)
def test_choice_number(text: str, number: Optional[int]) -> None:
    assert choice_number(text) == number


PAYLOADS = ["Yes", "No", "Not sure"]


@pytest.mark.parametrize(("text", "number"), CHOICES)
def test_both_choice_readers_agree(text: str, number: Optional[int]) -> None:
    expected = PAYLOADS[number - 1] if number and number <= len(PAYLOADS) else text
    memory = ChoiceMemory()
    memory.remember("+15550001", [{"title": p, "payload": p} for p in PAYLOADS])
    assert _answers.resolve_choice(text, PAYLOADS) == expected
    assert memory.resolve("+15550001", text) == expected
