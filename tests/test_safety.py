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


def test_normalise_folds_unicode_case_and_contractions() -> None:
    assert normalise("I\u2019m   NUMB\u00a0") == "i am numb"
    assert normalise("cant dont wont") == "cannot do not will not"
    assert normalise("they'd be better") == "they would be better"
    assert normalise("a\x00b") == "a b"


@pytest.mark.parametrize(
    ("typed", "mended"),
    [("bladr", "bladder"), ("groyn", "groin"), ("incontinance", "incontinence"), ("weaknes", "weakness"),
     ("suicde", "suicide"), ("numbnes", "numbness"), ("endin", "ending"), ("mysefl", "myself")],
)
def test_misspelt_key_words_are_mended(typed: str, mended: str) -> None:
    from bot.safety import mend_word

    assert mend_word(typed) == mended


@pytest.mark.parametrize("word", ["week", "grown", "towel", "blade", "weed", "number", "wheel", "bowl"])
def test_english_words_are_never_mended_into_key_words(word: str) -> None:
    from bot.safety import mend_word

    assert mend_word(word) == word


@pytest.mark.parametrize(
    "text",
    [
        "my bladr wont work since this morning",
        "lost all controll of my bowles today",
        "groyn went numm last nite",
    ],
)
def test_typos_in_the_key_words_still_alert(text: str) -> None:
    assert assess(text).alert is Alert.EMERGENCY


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("I have not been able to pass water since supper", Sign.BLADDER_BOWEL),
        ("leaking pee all day without noticing, started monday", Sign.BLADDER_BOWEL),
        ("the area where I sit has no feeling since the weekend", Sign.SADDLE_NUMBNESS),
        ("no sensation when i wipe since yesterday", Sign.SADDLE_NUMBNESS),
        ("his legs folded under him this morning and he cannot stand", Sign.LEG_WEAKNESS),
        ("my toes drag and my foot flops down since tuesday", Sign.LEG_WEAKNESS),
    ],
)
def test_lay_descriptions_name_the_sign(text: str, sign: Sign) -> None:
    assert sign in {f.sign for f in assess(text).findings}


@pytest.mark.parametrize(
    "text",
    [
        "my groin went numb this morning, is that something to worry about?",
        "my mother (81, diabetic) wet herself twice today and did not feel it. what should we do",
        "since my procedure on monday my right leg is weaker every day. normal?",
    ],
)
def test_a_report_with_a_question_is_still_a_report(text: str) -> None:
    assert assess(text).alert is Alert.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "what if my legs give way after the procedure?",
        "could my bladder ever stop working because of stenosis?",
        "I have no numbness down below and no trouble peeing",
        "my uncle lost bladder control after his stroke years ago",
        "my legs feel weak after 10 minutes of walking and I have to sit",
        "this back pain is killing me",
        "I'm dying to know how soon I can golf again",
    ],
)
def test_look_alikes_are_not_reports(text: str) -> None:
    assert assess(text).alert is None


@pytest.mark.parametrize(
    "text",
    [
        "i keep my sleeping tablets in a drawer, saving them for the day i have had enough",
        "everyone at home would be better off if I was not around",
        "I lie awake hoping I just don't wake up one of these mornings",
        "my husband (77) keeps saying he wants to end it all",
        "I've written notes to my grandchildren saying goodbye",
    ],
)
def test_indirect_words_of_self_harm_are_crisis(text: str) -> None:
    assert assess(text).alert is Alert.CRISIS


def test_negated_self_harm_is_not_crisis() -> None:
    assert assess("I am not suicidal, just tired of the pain").alert is None


def test_similarity_bank_alerts_only_when_much_closer_to_an_alert() -> None:
    from bot.safety import SemanticThresholds, SimilarityBank

    bank = SimilarityBank([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [Alert.EMERGENCY, Alert.CRISIS, None])
    rules = SemanticThresholds(similarity=0.8, margin=0.1)
    assert bank.judge([0.95, 0.05, 0.1], rules).alert is Alert.EMERGENCY
    assert bank.judge([0.05, 0.95, 0.1], rules).alert is Alert.CRISIS
    # close to an alert but as close to a look-alike: no alert
    assert bank.judge([0.7, 0.0, 0.7], rules).alert is None
    # nearest is an alert, but not close enough
    assert bank.judge([0.6, 0.5, 0.2], rules).alert is None
    assert bank.judge([0.0, 0.0, 0.0], rules).alert is None


def test_meaning_layer_defers_to_the_rules_and_to_idioms() -> None:
    from bot.safety import semantic_alert_allowed

    odd = "everything down there feels wrong since today"
    assert semantic_alert_allowed(odd, assess(odd))
    negated = "no numbness in my groin at all"
    assert not semantic_alert_allowed(negated, assess(negated))
    assert not semantic_alert_allowed("my legs are killing me", assess("my legs are killing me"))


def test_long_input_is_read_to_the_end() -> None:
    # ten times what the channels accept: a sign at the very end is still found
    text = "my back hurts and my legs ache " * 700 + "and I can't control my bladder since today"
    assert assess(text).alert is Alert.EMERGENCY


def test_a_megabyte_without_sign_words_is_skimmed() -> None:
    assert assess("lorem ipsum " * 90_000).alert is None


def test_names_a_sign() -> None:
    from bot.safety import names_a_sign

    assert names_a_sign("my bladder feels odd") and names_a_sign("my legs are weak")
    assert not names_a_sign("I get numbness in my legs when I stand for a while")
