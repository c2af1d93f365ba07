"""The rule-based safety net, against tables of patient phrasings."""

import pytest

from bot.safety import Alert, Sign, assess, normalise

EMERGENCY = [
    "I can't control my bladder since this morning",
    "i cant control my bowels",
    "I cannot hold my urine anymore",
    "I've lost control of my bladder",
    "sudden loss of bladder control",
    "new loss of bowel control",
    "I wet myself today without noticing",
    "I peed myself twice and didn't feel it",
    "my bladder has stopped working",
    "I have become incontinent since yesterday",
    "my groin is numb",
    "numbness in my groin and inner thighs",
    "my inner thighs are numb since last night",
    "I can't feel my private parts",
    "saddle numbness",
    "there's no feeling between my legs",
    "my legs suddenly went weak",
    "my leg is getting weaker by the hour",
    "sudden weakness in both legs",
    "my legs gave out all of a sudden",
    "I can't move my legs",
    "I can't lift my right foot",
    "rapidly worsening leg weakness",
    "my mom can't control her bladder since this morning",
    "my husband has numbness in his groin since yesterday",
    "what is the recovery time? also I can't control my bladder since this morning",
    "How long does mild take? My legs have suddenly become very weak.",
    "Is it normal that I suddenly can't control my bladder?",
    "I can\u2019t control my bladder",  # curly apostrophe
    "I CAN'T CONTROL MY BLADDER",
    "i cant controll my bladdder",
]

CRISIS = [
    "I want to kill myself",
    "i wanna die",
    "this pain makes me want to die",
    "I'm thinking about suicide",
    "I don't want to live anymore",
    "I want to end my life",
    "I'd be better off dead",
    "I have been hurting myself",
    "I feel suicidal",
    "my dad says he wants to kill himself",
]

NO_ALERT = [
    "does mild affect bladder control?",
    "can mild cause incontinence?",
    "will I lose control of my bladder after the procedure?",
    "what if I lose bladder control?",
    "my legs get tired when I walk far",
    "my legs get weak quickly when I walk",
    "my legs feel weak after walking for a while and get better when I sit",
    "is numbness in the groin a symptom of stenosis?",
    "no numbness in my groin, no bladder problems",
    "I don't have any numbness in my inner thighs",
    "numbness around my buttocks",
    "both my feet go numb when I stand",
    "I almost wet myself when I walk",
    "walking gives me an urge to pee",
    "what are the risks of nerve damage?",
    "Does leg weakness mean I need surgery?",
    "what are the warning signs I should watch for?",
    "can mild cause paralysis?",
    "How long is the recovery?",
    "",
    "   ",
    "<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("text", EMERGENCY)
def test_red_flag_reports_raise_the_emergency_alert(text: str) -> None:
    assert assess(text).alert is Alert.EMERGENCY


@pytest.mark.parametrize("text", CRISIS)
def test_words_of_self_harm_raise_the_crisis_alert(text: str) -> None:
    assert assess(text).alert is Alert.CRISIS


@pytest.mark.parametrize("text", NO_ALERT)
def test_questions_about_signs_and_ordinary_symptoms_raise_nothing(text: str) -> None:
    assert assess(text).alert is None


def test_a_question_about_a_sign_is_noted_as_mentioned() -> None:
    assessment = assess("will I lose control of my bladder after the procedure?")
    assert assessment.alert is None and assessment.mentioned_without_report


def test_crisis_wins_when_both_are_present() -> None:
    assessment = assess("I can't control my bladder and I want to die")
    assert {f.sign for f in assessment.findings} == {Sign.BLADDER_BOWEL, Sign.SELF_HARM}
    assert assessment.alert is Alert.CRISIS


def test_signs_are_told_apart() -> None:
    assert {f.sign for f in assess("my groin is numb").findings} == {Sign.SADDLE_NUMBNESS}
    assert {f.sign for f in assess("my legs suddenly went weak").findings} == {Sign.LEG_WEAKNESS}


def test_normalise_folds_unicode_and_typos() -> None:
    assert normalise("I\u2019m   NUMB\u00a0") == "i'm numb"
    assert normalise("cant dont") == "can't don't"
    assert normalise("a\x00b") == "a b"


def test_huge_input_is_handled_quickly() -> None:
    text = "my back hurts " * 70_000 + "and I can't control my bladder since today"
    assert assess(text).alert is Alert.EMERGENCY


def test_names_a_sign() -> None:
    from bot.safety import names_a_sign

    assert names_a_sign("my bladder feels odd") and names_a_sign("my legs are weak")
    assert not names_a_sign("I get numbness in my legs when I stand for a while")
