"""Free-text answers, against tables of patient phrasings (negated and mixed ones included)."""

import pytest

from bot.answers import (
    extract_items,
    is_correction,
    is_distance,
    is_skip,
    parse_care,
    parse_imaging,
    parse_minutes,
    parse_yes_no,
    read_turn,
)
from bot.questionnaire import Answer

YES, NO, UNSURE = Answer.YES, Answer.NO, Answer.UNSURE

YES_NO = [
    ("yes", YES), ("Yes!", YES), ("yep", YES), ("yeah", YES), ("yup", YES), ("sure", YES), ("definitely", YES),
    ("kinda", YES), ("kind of", YES), ("sometimes", YES), ("a little", YES), ("a bit", YES),
    ("only after a long walk", YES), ("occasionally", YES), ("now and then", YES), ("I do", YES),
    ("it does", YES), ("all the time", YES), ("yes, both legs", YES), ("mostly", YES),
    ("no", NO), ("nope", NO), ("nah", NO), ("not really", NO), ("no never", NO), ("never", NO),
    ("not at all", NO), ("I don't think so", NO), ("I don't", NO), ("it doesn't", NO), ("no, not even after a long walk", NO),
    ("No.", NO),
    ("not sure", UNSURE), ("I'm not sure", UNSURE), ("don't know", UNSURE), ("maybe", UNSURE), ("no idea", UNSURE),
    ("hard to say", UNSURE), ("dunno", UNSURE), ("I can't remember", UNSURE),
    ("what is mild?", None), ("purple", None), ("", None), ("   ", None), ("🙂", None),
]


@pytest.mark.parametrize("text, expected", YES_NO)
def test_yes_no(text: str, expected: object) -> None:
    assert parse_yes_no(text) == expected


MINUTES = [
    ("ten minutes", 10), ("10 minutes", 10), ("10 min", 10), ("20 min", 20), ("20mins", 20), ("half an hour", 30),
    ("about half an hour", 30), ("an hour or more", 60), ("an hour", 60), ("1 hour", 60), ("two hours", 120),
    ("not even 5 minutes", 5), ("5 minutes at most", 5), ("fifteen minutes", 15), ("twenty-five minutes", 25),
    ("maybe 5-10 minutes", 5), ("10 to 15 minutes", 10), ("a few minutes", 3), ("a couple of minutes", 2),
    ("a minute", 1), ("about 10", 10), ("15", 15), ("around 20", 20), ("quarter of an hour", 15),
    ("an hour and a half", 90), ("three minutes", 3), ("30 minutes or so", 30), ("I can walk for 45 minutes", 45),
    ("I can't say", "unknown"), ("not sure", "unknown"), ("it depends", "unknown"), ("don't know", "unknown"),
    ("a block or two", None), ("hello", None), ("yes", None),
]


@pytest.mark.parametrize("text, expected", MINUTES)
def test_minutes(text: str, expected: object) -> None:
    assert parse_minutes(text) == expected


def test_distance_is_recognised() -> None:
    assert is_distance("a block or two") and is_distance("to the mailbox") and not is_distance("10 minutes")


PT, MEDS, ESI = "physical_therapy", "pain_medication", "epidural_steroid_injections"
CARE = [
    ("PT", [PT]), ("physical therapy", [PT]), ("physio", [PT]), ("exercises with a therapist", [PT]),
    ("pills", [MEDS]), ("gabapentin", [MEDS]), ("Tylenol", [MEDS]), ("ibuprofen and tylenol", [MEDS]),
    ("pain medication", [MEDS]), ("over the counter stuff", [MEDS]), ("lyrica", [MEDS]), ("tramadol", [MEDS]),
    ("two epidural shots", [ESI]), ("steroid injections", [ESI]), ("a cortisone shot", [ESI]), ("injections", [ESI]),
    ("PT, pills and shots", [PT, MEDS, ESI]), ("physio and gabapentin", [PT, MEDS]),
    ("I tried physical therapy and injections but no meds", [PT, ESI]),
    ("no PT, but I take advil", [MEDS]), ("meds only, never had injections", [MEDS]),
    ("nothing yet", []), ("none", []), ("nothing", []), ("no", []), ("haven't tried anything", []),
    ("no physical therapy and no injections", []), ("not yet", []),
    ("hmm", None), ("what?", None), ("purple", None),
]


@pytest.mark.parametrize("text, expected", CARE)
def test_care(text: str, expected: object) -> None:
    assert parse_care(text) == expected


IMAGING = [
    ("MRI last year", YES), ("yes an MRI", YES), ("I had a CT scan", YES), ("ct", YES), ("yes", YES),
    ("had both mri and ct", YES), ("an mri in 2022", YES), ("yep, a scan", YES), ("cat scan", YES),
    ("only X-rays", NO), ("just an x-ray", NO), ("xrays only", NO), ("no", NO), ("never had an MRI", NO),
    ("no scans", NO), ("nope", NO), ("no, only x rays", NO),
    ("don't remember", UNSURE), ("not sure", UNSURE), ("maybe an MRI, I don't remember", UNSURE), ("no idea", UNSURE),
    ("hello", None),
]


@pytest.mark.parametrize("text, expected", IMAGING)
def test_imaging(text: str, expected: object) -> None:
    assert parse_imaging(text) == expected


ITEMS = [
    ("numbness in both legs and the soles of my feet, no burning though", {"q5": YES, "q6": YES, "q9": NO}),
    ("both legs go numb and it burns around my buttocks", {"q5": YES, "q9": YES}),
    ("my legs hurt when I walk and it gets better when I sit", {"q1": YES, "q2": YES}),
    ("bending forward helps", {"q4": YES}),
    ("I need to pee urgently when I walk", {"q10": YES}),
    ("my thighs and calves ache when I stand", {"q1": YES, "q3": YES}),
    ("no numbness in my buttocks", {"q7": NO}),
    ("I don't have any burning", {"q9": NO}),
    ("numbness but no pain", {"q8": YES}),
    ("the soles of both feet are numb", {"q6": YES}),
]


@pytest.mark.parametrize("text, expected", ITEMS)
def test_several_items_in_one_message(text: str, expected: dict) -> None:
    found = extract_items(text)
    for item, answer in expected.items():
        assert found.get(item) == answer, (item, found)


def test_plain_yes_names_no_item() -> None:
    assert extract_items("yes") == {}


def test_read_turn_fills_the_pending_and_the_mentioned_items() -> None:
    reading = read_turn("numbness in both legs and the soles of my feet, no burning though", "q1", "red_flags")
    assert reading.values == {"q1": "yes", "q5": "yes", "q6": "yes", "q9": "no"}


def test_a_correction_replaces_the_previous_answer() -> None:
    reading = read_turn("actually, yes I do", "q5", "q4")
    assert reading.values == {"q4": "yes"} and reading.corrected == "q4"


def test_a_named_correction_replaces_that_item_only() -> None:
    reading = read_turn("actually, I do get numbness in both feet", "q8", "q7")
    assert reading.values == {"q6": "yes"} and reading.corrected == "q6"


def test_corrections_and_skips_are_recognised() -> None:
    assert is_correction("Actually, no") and is_correction("sorry, I meant yes") and not is_correction("yes")
    assert is_skip("skip") and is_skip("next question") and not is_skip("no")


def test_numbered_choices_stand_for_the_quick_replies() -> None:
    from bot.answers import resolve_choice

    payloads = ["Yes", "No", "only X-rays", "Not sure"]
    assert resolve_choice("3", payloads) == "only X-rays"
    assert resolve_choice(" 2. ", payloads) == "No"
    assert resolve_choice("option 4", payloads) == "Not sure"
    assert resolve_choice("5", payloads) == "5"  # no such choice: the text itself (5 minutes?)
    assert resolve_choice("yes", payloads) == "yes"


def test_a_yes_carries_the_questions_symptom_into_the_details() -> None:
    reading = read_turn("yes, in both legs, it gets worse when I walk and better when I sit", "q1", "red_flags")
    assert reading.values == {"q1": "yes", "q2": "yes"}
    # a "no" carries nothing over
    assert read_turn("no, it gets worse when I walk", "q1", "red_flags").values == {"q1": "no"}
