"""SSHQ scoring over every combination of answers, against an independent formulation."""

import itertools

import pytest

from bot.core.questionnaire import (
    ITEM_ORDER,
    SSHQ_ITEMS,
    TOTAL_STEPS,
    Advice,
    Answer,
    Answers,
    Outcome,
    advice,
    evaluate,
    offers_consultation,
    progress_payload,
    sshq_scores,
)

CHOICES = ("yes", "no", "unsure")


def konno_independent(values: tuple) -> bool:
    """The published rule, restated: a 'yes' is a point; unsure is not."""
    first = [v == "yes" for v in values[:4]]
    rest = [v == "yes" for v in values[4:]]
    if all(first):
        return True
    return first.count(True) >= 2 and rest.count(True) >= 3


def test_all_3_to_the_10_combinations() -> None:
    checked = 0
    for values in itertools.product(CHOICES, repeat=10):
        answers = Answers(red_flags="no", **dict(zip(SSHQ_ITEMS, values, strict=False)))
        result = evaluate(answers)
        expected = Outcome.CONSULT_RECOMMENDED if konno_independent(values) else Outcome.NOT_TYPICAL
        assert result.outcome is expected, values
        assert (result.q1_q4, result.q5_q10) == (values[:4].count("yes"), values[4:].count("yes"))
        checked += 1
    assert checked == 3 ** 10


@pytest.mark.parametrize(
    "core, secondary, expected",
    [(4, 0, True), (3, 2, False), (2, 3, True), (1, 6, False), (3, 3, True), (0, 6, False), (2, 2, False)],
)
def test_boundaries(core: int, secondary: int, expected: bool) -> None:
    values = ["yes"] * core + ["no"] * (4 - core) + ["yes"] * secondary + ["no"] * (6 - secondary)
    result = evaluate(Answers(**dict(zip(SSHQ_ITEMS, values, strict=False))))
    assert (result.outcome is Outcome.CONSULT_RECOMMENDED) is expected


def test_red_flag_wins_over_everything() -> None:
    answers = Answers(red_flags="yes", **{item: "yes" for item in SSHQ_ITEMS})
    assert evaluate(answers).outcome is Outcome.URGENT
    assert evaluate(answers, stopped=True).outcome is Outcome.URGENT


def test_stopped() -> None:
    assert evaluate(Answers(red_flags="no", q1="yes"), stopped=True).outcome is Outcome.STOPPED


def test_missing_answers_count_as_no() -> None:
    assert sshq_scores(Answers(q1="yes")) == (1, 0)


def test_result_payload_matches_the_contract() -> None:
    answers = Answers(red_flags="no", q1="yes", q2="yes", q3="yes", q4="yes", walking_minutes=10,
                      conservative_care=["pain_medication", "physical_therapy"], imaging="no")
    assert evaluate(answers).payload() == {
        "questionnaire_result": {
            "outcome": "consult_recommended",
            "sshq": {"q1_q4": 4, "q5_q10": 0},
            "walking_minutes": 10,
            "conservative_care": ["physical_therapy", "pain_medication"],
            "imaging": "no",
        }
    }


def test_unknown_minutes_are_null() -> None:
    assert Answers(walking_minutes="unknown").walking_minutes is None


def test_unknown_treatment_is_refused() -> None:
    with pytest.raises(ValueError):
        Answers(conservative_care=["surgery"])


def test_advice_is_tailored() -> None:
    base = dict(red_flags="no", q1="yes", q2="yes", q3="yes", q4="yes")
    everything = evaluate(Answers(**base, walking_minutes=5, conservative_care=[], imaging="no"))
    assert advice(everything) == [Advice.IMAGING, Advice.CONSERVATIVE_CARE, Advice.WALKING]
    nothing = evaluate(Answers(**base, walking_minutes=30, conservative_care=["physical_therapy"], imaging="yes"))
    assert advice(nothing) == []
    unknown_minutes = evaluate(Answers(**base, walking_minutes=None, conservative_care=["pain_medication"],
                                       imaging="unsure"))
    assert advice(unknown_minutes) == []
    assert advice(evaluate(Answers(red_flags="no", walking_minutes=5, imaging="no"))) == []  # not typical


def test_consultation_is_offered_after_a_result_only() -> None:
    assert offers_consultation(Outcome.CONSULT_RECOMMENDED) and offers_consultation(Outcome.NOT_TYPICAL)
    assert not offers_consultation(Outcome.URGENT) and not offers_consultation(Outcome.STOPPED)


def test_progress() -> None:
    assert TOTAL_STEPS == 14
    assert progress_payload("red_flags") == {"questionnaire": {"item": "red_flags", "step": 1, "of": 14}}
    assert progress_payload("q10")["questionnaire"]["step"] == 11
    assert progress_payload("imaging")["questionnaire"]["step"] == 14
    assert ITEM_ORDER[-3:] == ("walking_minutes", "conservative_care", "imaging")


def test_domain_questions_carry_the_same_progress() -> None:
    import yaml

    from bot import PROJECT_ROOT

    responses = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]
    for item in ITEM_ORDER:
        variation = responses[f"utter_ask_{item}"][0]
        assert variation["custom"] == progress_payload(item)
        assert variation["buttons"], item
    assert Answer.UNSURE.value == "unsure"


def test_walking_advice_is_for_less_than_15_minutes_only() -> None:
    consult = {f"q{i}": "yes" for i in range(1, 5)}
    assert Advice.WALKING in advice(evaluate(Answers(**consult, walking_minutes=14)))
    assert Advice.WALKING not in advice(evaluate(Answers(**consult, walking_minutes=15)))


def test_answers_are_read_from_the_slots() -> None:
    answers = Answers.from_slots({"q1": "yes", "walking_minutes": "12", "imaging": "no", "other_slot": "x"})
    assert (answers.q1, answers.walking_minutes, answers.imaging, answers.q2) == (Answer.YES, 12, Answer.NO, None)


def test_the_payload_of_unanswered_treatments_and_imaging_is_null() -> None:
    result = evaluate(Answers()).payload()["questionnaire_result"]
    assert (result["conservative_care"], result["imaging"], result["walking_minutes"]) == (None, None, None)
