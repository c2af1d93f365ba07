"""The rule-based safety net, against tables of patient phrasings."""

from typing import Any

import numpy as np
import pytest

from bot.core.safety import Alert, Sign, assess, normalise

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
    from bot.core.safety import mend_word

    assert mend_word(typed) == mended


@pytest.mark.parametrize("word", ["week", "grown", "towel", "blade", "weed", "number", "wheel", "bowl"])
def test_english_words_are_never_mended_into_key_words(word: str) -> None:
    from bot.core.safety import mend_word

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
    from bot.core.safety import SemanticThresholds, SimilarityBank

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
    from bot.core.safety import semantic_alert_allowed

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
    from bot.core.safety import names_a_sign

    assert names_a_sign("my bladder feels odd") and names_a_sign("my legs are weak")
    assert not names_a_sign("I get numbness in my legs when I stand for a while")


def test_similarity_bank_normalises_its_rows_and_keeps_zero_rows_zero() -> None:
    import numpy as np

    from bot.core.safety import SimilarityBank

    bank = SimilarityBank([3.0, 4.0, 0.0, 0.0, 0.0, 2.0], [Alert.EMERGENCY, None, Alert.CRISIS])
    assert len(bank) == 3
    assert bank.vectors.dtype == np.float32
    assert bank.vectors.ravel().tolist() == pytest.approx([0.6, 0.8, 0.0, 0.0, 0.0, 1.0])
    assert bank.labels == [Alert.EMERGENCY, None, Alert.CRISIS]


def test_similarity_bank_reports_the_nearest_alert_and_look_alike_exactly() -> None:
    from bot.core.safety import SemanticMatch, SimilarityBank

    bank = SimilarityBank([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], [Alert.CRISIS, None, Alert.EMERGENCY, None])
    assert bank.nearest([0, 0, 5]) == SemanticMatch(None, 1.0, 0.0, Alert.EMERGENCY)
    assert bank.nearest([2, 0, 0]) == SemanticMatch(None, 1.0, pytest.approx(2 ** -0.5), Alert.CRISIS)
    # the best look-alike is the largest similarity, not the last or the smallest
    assert bank.nearest([0, 1, 0]).other_similarity == 1.0
    # nothing to compare with: no match at all
    assert bank.nearest([0, 0, 0]) == SemanticMatch(None, 0.0, 0.0, None)


def _nearest_one_by_one(bank: Any, vector: Any) -> Any:
    """The bank's answer picked row by row from the same similarities, as a definition to compare with."""
    from bot.core.safety import SemanticMatch

    vec = np.asarray(vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(vec))
    if norm == 0 or not bank.labels:
        return SemanticMatch(None, 0.0, 0.0, None)
    best_alert, best_kind, best_other = -1.0, None, -1.0
    for sim, label in zip((bank.vectors @ (vec / norm)).tolist(), bank.labels, strict=True):
        if label is None:
            best_other = max(best_other, sim)
        elif sim > best_alert:
            best_alert, best_kind = sim, label
    return SemanticMatch(None, best_alert, best_other, best_kind)


@pytest.mark.parametrize("seed", range(40))
def test_similarity_bank_equals_the_row_by_row_definition(seed: int) -> None:
    """Random banks (ties, all alerts, no alerts, opposite vectors) give the definition's answer exactly."""
    import random

    from bot.core.safety import SimilarityBank

    rng = random.Random(seed)
    size, dims = rng.randint(1, 30), rng.choice([2, 3, 8])
    base = [[rng.choice([-1.0, 0.0, 1.0, rng.uniform(-1, 1)]) for _ in range(dims)] for _ in range(size)]
    rows = [rng.choice(base) for _ in range(size)]  # repeated rows: equal similarities
    kinds = rng.choice([[None, Alert.EMERGENCY, Alert.CRISIS], [Alert.EMERGENCY, Alert.CRISIS], [None]])
    if seed % 5 == 0:
        rows[rng.randrange(size)] = [float("nan")] * dims  # such a row is skipped, as the loop skips it
    bank = SimilarityBank(rows, [rng.choice(kinds) for _ in range(size)])
    for vector in [rows[0], [-x for x in rows[-1]], [rng.uniform(-1, 1) for _ in range(dims)], [0.0] * dims]:
        got, expected = bank.nearest(vector), _nearest_one_by_one(bank, vector)
        assert got == expected, (vector, got, expected)


def test_similarity_bank_without_look_alikes_or_alerts() -> None:
    from bot.core.safety import SemanticMatch, SemanticThresholds, SimilarityBank

    alerts_only = SimilarityBank([[1, 0], [1, 0]], [Alert.EMERGENCY, Alert.CRISIS])
    # equal similarity: the first alert listed stays the nearest; no look-alike: -1
    assert alerts_only.nearest([1, 0]) == SemanticMatch(None, 1.0, -1.0, Alert.EMERGENCY)
    look_alikes_only = SimilarityBank([[1, 0]], [None])
    assert look_alikes_only.nearest([1, 0]) == SemanticMatch(None, -1.0, 1.0, None)
    anything = SemanticThresholds(similarity=-5.0, margin=-5.0)
    assert look_alikes_only.judge([1, 0], anything).alert is None


def test_similarity_bank_thresholds_are_inclusive() -> None:
    import math

    from bot.core.safety import SemanticMatch, SemanticThresholds, SimilarityBank

    bank = SimilarityBank([[1, 0, 0], [0, 1, 0]], [Alert.EMERGENCY, None])
    vector = [0.9, 0.2, 0.1]
    near = bank.nearest(vector)
    gap = near.alert_similarity - near.other_similarity
    exact = SemanticThresholds(similarity=near.alert_similarity, margin=gap)
    assert bank.judge(vector, exact) == SemanticMatch(
        Alert.EMERGENCY, near.alert_similarity, near.other_similarity, Alert.EMERGENCY)
    higher = SemanticThresholds(similarity=math.nextafter(near.alert_similarity, 2.0), margin=gap)
    assert bank.judge(vector, higher) == near
    wider = SemanticThresholds(similarity=near.alert_similarity, margin=math.nextafter(gap, 2.0))
    assert bank.judge(vector, wider) == near


def test_the_default_semantic_thresholds() -> None:
    from bot.core.safety import SemanticThresholds

    assert SemanticThresholds() == SemanticThresholds(similarity=0.88, margin=0.06)


def test_long_sentences_are_read_in_overlapping_windows() -> None:
    from bot.core.safety import _sentences

    words = "abcd " * 200  # 1000 characters, a space every fifth
    assert _sentences(words) == [words[:599], words[499:]]
    assert _sentences(words[:600]) == [words[:600]]
    assert _sentences(words[:601]) == [words[:599], words[499:601]]
    # no space far enough in: cut at 600 characters
    solid = "a" * 1000
    assert _sentences(solid) == [solid[:600], solid[500:]]
    early = "a" * 101 + " " + "b" * 898
    assert _sentences(early) == [early[:101], early[1:601], early[501:]]
    at_100 = "a" * 100 + " " + "b" * 899
    assert _sentences(at_100) == [at_100[:600], at_100[500:]]


def test_sentences_are_split_at_stops_and_by_the_way() -> None:
    from bot.core.safety import _sentences

    assert _sentences("my back hurts. my legs ache!  also the left knee; by the way it is worse\n fine") == [
        "my back hurts.", "my legs ache!", "also the left knee;", "by the way it is worse\n", "fine"]
    assert _sentences("my legs ache also my feet btw my knee") == ["my legs ache", "my feet", "my knee"]
    assert _sentences("   ") == []


def test_only_texts_over_4000_characters_are_skimmed() -> None:
    from bot.core.safety import _sentences

    text = ("lorem ipsum. " * 400)[:4000]
    assert len(_sentences(text)) == 308
    assert _sentences(text + "x") == []
    assert _sentences(text + " my legs.")[-1] == "lorem ips my legs."


FINDINGS = [
    ("since this morning I can't control my bladder", ((Sign.BLADDER_BOWEL, "cannot control my bladder"),), False),
    ("I want to kill myself", ((Sign.SELF_HARM, "kill myself"),), False),
    ("i feel like a burden and i want to end my life", ((Sign.SELF_HARM, "end my life"),), False),
    ("my groin went numb overnight", ((Sign.SADDLE_NUMBNESS, "groin went numb"),), False),
    ("my legs gave way suddenly today and I can't feel my groin",
     ((Sign.SADDLE_NUMBNESS, "cannot feel my groin"), (Sign.LEG_WEAKNESS, "gave way")), False),
    ("since yesterday I can't lift my left leg at all", ((Sign.LEG_WEAKNESS, "cannot lift my left leg"),), False),
    ("my legs went weak suddenly this morning and I fell", ((Sign.LEG_WEAKNESS, "weak"),), False),
    ("my left leg is totally dead and will not move", ((Sign.LEG_WEAKNESS, "will not move"),), False),
    # a weak saddle word counts only with a sudden onset, and not with walking
    ("my bum is numb since this morning", ((Sign.SADDLE_NUMBNESS, "bum is numb"),), False),
    ("my bum has gone numb since this morning when I walk", (), True),
    ("my legs are weak", (), True),
    ("will I lose bladder control after the procedure?", (), True),
    ("I'm not suicidal", (), False),
    # one finding per sign, however many of its patterns the sentence matches
    ("since this morning i can't control my bladder and i have wet myself",
     ((Sign.BLADDER_BOWEL, "cannot control my bladder"),), False),
    # a denial or a "what if" at the very start of the message still counts
    ("not suicidal, just worn out", (), False),
    ("what if i ended it all", (), False),
    # a denied crisis word does not hide a later one of another kind
    ("I'm not suicidal but some days I want to end my life", ((Sign.SELF_HARM, "end my life"),), False),
    # a sudden onset outweighs walking and a long history; weakness needs legs; "completely" is enough
    ("my legs suddenly went weak when I was walking", ((Sign.LEG_WEAKNESS, "weak"),), False),
    ("i have had weak legs for years but since yesterday they keep giving out", ((Sign.LEG_WEAKNESS, "weak"),), False),
    ("since this morning i cannot control my bladder, could this be my stenosis",
     ((Sign.BLADDER_BOWEL, "cannot control my bladder"),), False),
    ("i feel so weak and tired since this morning", (), True),
    ("my legs are completely weak", ((Sign.LEG_WEAKNESS, "weak"),), False),
]


@pytest.mark.parametrize("text, findings, mentioned", FINDINGS)
def test_the_exact_findings_and_what_was_only_mentioned(text: str, findings: tuple, mentioned: bool) -> None:
    from bot.core.safety import Finding

    result = assess(text)
    assert result.findings == tuple(Finding(sign, words) for sign, words in findings)
    assert result.mentioned_without_report is mentioned


def test_crisis_words_across_a_line_break_in_a_long_message() -> None:
    from bot.core.safety import Finding

    text = "my back hurts a lot " * 40 + "and honestly i want to\nkill myself"
    assert assess(text).findings == (Finding(Sign.SELF_HARM, "kill myself"),)


def test_a_denial_counts_up_to_80_characters_before_the_sign() -> None:
    near = "no embarrassing, uncomfortable, unpredictable, overwhelming, awful, horrendous, "
    far = "no embarrassing, uncomfortable, unpredictable, overwhelming, awful, frustrating, "
    assert (len(near), len(far)) == (80, 81)
    assert assess(near + "incontinence").alert is None
    assert assess(far + "incontinence").alert is Alert.EMERGENCY


def test_a_denial_after_the_sign_counts_within_40_characters() -> None:
    assert assess("incontinence " + "-" * 36 + " no").alert is None  # "no" ends at the 40th character
    assert assess("incontinence " + "-" * 37 + " no").alert is Alert.EMERGENCY


def test_normalise_keeps_line_breaks_and_blanks_other_control_characters() -> None:
    assert normalise("My legs\nare WEAK\x07") == "my legs\nare weak"
    assert normalise("") == ""
    assert normalise(None) == ""  # type: ignore[arg-type]


def test_a_long_message_is_read_for_crisis_sentence_by_sentence() -> None:
    from bot.core.safety import Finding

    text = "i am not suicidal. " + "my back hurts a lot. " * 30 + "but some nights i think about killing myself"
    assert assess(text).findings == (Finding(Sign.SELF_HARM, "killing myself"),)


def test_crisis_words_split_by_a_line_break_in_a_long_message() -> None:
    from bot.core.safety import Finding

    text = "my back hurts a lot. " * 30 + "some days i just want to end\nmy life"
    assert assess(text).findings == (Finding(Sign.SELF_HARM, "end my life"),)


def test_an_empty_piece_before_a_by_the_way_is_skipped() -> None:
    from bot.core.safety import _sentences

    assert _sentences(" also my legs") == ["my legs"]


@pytest.mark.parametrize("text", [
    "I'm not suicidal or anything. But lately at night I think about killing myself",
    "never been suicidal before, now I have a plan to end my life",
])
def test_a_denial_does_not_hide_a_later_report_of_the_same_kind(text: str) -> None:
    assert assess(text).alert is Alert.CRISIS


@pytest.mark.parametrize("text, alert", [
    # a bare answer to the assistant's yes/no question does not deny a sign told after it
    ("no, both my legs suddenly went weak an hour ago", Alert.EMERGENCY),
    ("no thanks. since this morning I can't feel my groin at all", Alert.EMERGENCY),
    ("not now, I wet myself today and didn't notice", Alert.EMERGENCY),
    ("nope - my left leg suddenly gave way and I fell", Alert.EMERGENCY),
    ("no thank you, I've lost control of my bowels today", Alert.EMERGENCY),
    # a denial after the answer is still a denial
    ("no, no numbness around my groin", None),
    ("No, I don't have any loss of bladder control", None),
    ("nope, never lost control of my bowels", None),
    ("no, nothing like that, my bladder works fine", None),
])
def test_an_opening_answer_is_read_apart_from_what_follows(text: str, alert: Any) -> None:
    assert assess(text).alert is alert


@pytest.mark.parametrize("text, alert", [
    # an exception after a denial is affirmed, whatever the word for it
    ("none of them, except my legs have gone weaker fast over two days", Alert.EMERGENCY),
    ("nothing like that except I can't hold my bowels since sunday", Alert.EMERGENCY),
    ("none apart from my groin going numb since this morning", Alert.EMERGENCY),
    ("no other than my bladder leaking since the weekend", Alert.EMERGENCY),
    ("nope, aside from a numb groin", Alert.EMERGENCY),
    ("no tingling, but numbness in my groin since the weekend", Alert.EMERGENCY),
    ("no pins and needles apart from a numb crotch", Alert.EMERGENCY),
    # a sign denied before the exception stays denied, and an exception with no sign is nothing
    ("numb feet but not in my groin", None),
    ("her legs go numb, not her groin", None),
    # numbness that spread across a contrast is still one report
    ("the numbness was only ever in my toes but since last night it's in my crotch as well", Alert.EMERGENCY),
    ("no numb groin, except the usual tingling in my toes", None),
    ("none of those besides the old ache in my calves when I walk", None),
])
def test_an_exception_after_a_denial_is_a_report(text: str, alert: Any) -> None:
    assert assess(text).alert is alert


@pytest.mark.parametrize("text, alert", [
    # control or feeling lost, said as "I don't have ..." or "haven't been able to ..."
    ("i dont have control of my bladder any more", Alert.EMERGENCY),
    ("He doesn't have any control over his bowels now", Alert.EMERGENCY),
    ("I don't have much feeling down there since friday", Alert.EMERGENCY),
    ("she hasn't been able to feel her inner thighs since tuesday", Alert.EMERGENCY),
    ("no longer feel my private parts", Alert.EMERGENCY),
    # hopelessness about living, in short
    ("theres no point living anymore with this back", Alert.CRISIS),
    ("honestly no point going on like this", Alert.CRISIS),
    # "just" as just now, urine leaking with words between, leakage
    ("his legs just gave way and he can barely get up", Alert.EMERGENCY),
    ("been leaking a little bit of urine since friday", Alert.EMERGENCY),
    ("some urine leakage began this week", Alert.EMERGENCY),
    ("I just walked to the post office and my legs felt weak after", None),
    # a leaking bladder without a new onset is the usual stress incontinence; a knee in sport is no red flag
    ("my bladder leaks a bit when I laugh", None), ("since the menopause I leak a few drops of urine", None),
    ("grandad's bladder leaks at night", None), ("my knee just gave way at football", None),
    # still no alert
    ("there is no point going on with the physio", None),
    ("there's no point living in fear of the operation", None),
    ("I don't have control problems, just the leg pain", None),
    # a leaking bladder for years is long-standing, not a red flag
    ("mum has used pads for small bladder leaks for about six years now", None),
    ("his bladder leaks a little, nothing has changed in a long while", None),
    ("I have full control of my bladder", None),
])
def test_lost_control_or_feeling_said_as_not_having_it(text: str, alert: Any) -> None:
    assert assess(text).alert is alert


@pytest.mark.parametrize("text, alert", [
    # despair said in everyday words
    ("honestly i cant take this any more", Alert.CRISIS),
    ("I can't do this anymore, I really can't", Alert.CRISIS),
    ("some days i dont see the point in living", Alert.CRISIS),
    ("i just don't see the point any more", Alert.CRISIS),
    ("I can't do the long walks anymore", None),
    ("I don't see the point of another scan", None),
    # unable to walk for months, or without a cane, is the long-standing complaint; a new inability still alerts
    ("she hasn't been able to walk at all for several months", None),
    ("he can't walk at all without his walker", None),
    ("can not walk at all since this morning", Alert.EMERGENCY),
    # an operation long ago is no onset now, a recent one still is
    ("my father lost feeling in his groin after his operation, but that was years ago", None),
    ("grandma had an operation in 2015 and her legs were weak for a while", None),
    ("my groin has felt numb since my operation on monday", Alert.EMERGENCY),
    # someone else's history: before they died, in their eighties, suddenly last year
    ("my grandad lost control of his bladder before he died", None),
    ("my aunt lost bowel control in her 90s", None),
    # a sudden sign is heard even beside "last year": the time may belong to something else (a second review found
    # "my dad had back surgery years ago, and his legs suddenly gave out" waved through)
    ("my husband's legs gave way suddenly last year after his fall", Alert.EMERGENCY),
    ("my dad had back surgery years ago, and his legs suddenly gave out", Alert.EMERGENCY),
    # an age is no time: only someone else's past story is waved through
    ("I'm in my 60s and I've lost control of my bladder", Alert.EMERGENCY),
    ("my dad is in his eighties and his legs are paralysed", Alert.EMERGENCY),
    ("I had surgery years ago and my groin went numb", Alert.EMERGENCY),
    # the walking pattern is no onset, whatever "now" or "this week" says
    ("now I can't walk more than 10 minutes without stopping", None), ("this week my legs have been weak after walking", None),
    ("I can't do it anymore, walking is impossible", None),
    # months wave through weak legs and not walking, never legs that cannot be moved; the pace of walking is no onset
    ("I can't move my legs for months", Alert.EMERGENCY), ("my legs are getting weaker fast when I walk", None),
    ("my leg weakness is getting worse quickly when I walk", Alert.EMERGENCY),
    ("my dad wet himself, he had surgery years ago", Alert.EMERGENCY),
    ("last year I had surgery, and suddenly this morning my groin went numb", Alert.EMERGENCY),
])
def test_despair_long_standing_inability_and_operations_long_ago(text: str, alert: Any) -> None:
    assert assess(text).alert is alert


@pytest.mark.parametrize("text, alert", [
    # long-standing words hide only the long-standing: a cane, months or a while never hide what is new or another sign
    ("my legs are getting weaker fast, i can't walk without my stick now", Alert.EMERGENCY),
    ("I can't walk without a cane and now I can't feel my groin", Alert.EMERGENCY),
    ("without my walker i can't walk, and i've lost control of my bladder", Alert.EMERGENCY),
    ("I can't feel my groin and I've needed a walker for months", Alert.EMERGENCY),
    ("I had surgery 3 weeks ago and my groin has been numb for a while", Alert.EMERGENCY),
    ("for months my legs have been weak, now they are getting weaker fast", Alert.EMERGENCY),
    ("my legs have been getting weaker for months and now I can't lift my foot at all", Alert.EMERGENCY),
    ("I had surgery years ago, but this week my legs are rapidly getting weaker", Alert.EMERGENCY),
    ("my legs get weak quickly when I walk", None),
    # despair needs the words of despair, not of walking, physio or the past
    ("I can't stand any longer than 5 minutes", None), ("I can't do much more than 5 minutes", None),
    ("I couldn't take the pain any longer so I went to the ER", None),
    ("I don't see the point anymore of the physio", None), ("I can't do it anymore without a cane", None),
    ("my mum can't cope with it anymore, she needs help with shopping", None),
])
def test_long_standing_words_never_hide_what_is_new_and_despair_needs_its_words(text: str, alert: Any) -> None:
    assert assess(text).alert is alert


# Session 20: a new independent development set (tests/data/safety_set_dev3.yml) missed these kinds; my own wordings
E, C = Alert.EMERGENCY, Alert.CRISIS


@pytest.mark.parametrize("text, alert", [
    # passive wishes, plans and goodbyes in other words
    ("I'm so worn out I keep wishing I was dead", C), ("honestly I hope I never come round from the anaesthetic", C),
    ("I ask God every night to just take me", C), ("if it all goes wrong and I die, that'd be a relief to be honest", C),
    ("they'd all be relieved if I died, I'm just a burden", C), ("it would be kinder to my son if I wasn't here", C),
    ("how many of my tramadol together would be lethal", C), ("I've chosen the bridge already", C),
    ("I held the bottle of pills for ages last night, meaning to take them all", C),
    ("I've updated my will and said my goodbyes, I'm ready to go", C), ("I've given away my things", C),
    # a denial that is no crisis, and a wish that is none
    ("I didn't fall and I didn't hurt myself, but I lost control of my bowels today", E),
    ("I wouldn't mind if a lorry hit me tomorrow, to be honest", C),
    ("I hope I don't wake up during the procedure", None), ("we're all ready to go tomorrow for the procedure", None),
    ("what dose of gabapentin do most people take?", None), ("my gran took me to church on sunday", None),
    # bladder and bowels in other words, when new
    ("my bladder seems to have packed up since this morning", E), ("I haven't managed to pee in 12 hours", E),
    ("lost my bladder in the shop today, first time ever", E), ("keep finding wee in my pants since tuesday", E),
    ("since yesterday I can't control my bottom, it just comes out", E), ("my bowels emptied on their own last night", E),
    ("the flow stopped this morning and I only get a few drops", E), ("no urge to go at all since yesterday", E),
    ("my bladder isn't emptying since last night", E), ("I haven't done a wee for a whole day after the operation", E),
    ("no urge to pee at night, is that normal?", None), ("stress incontinence when I sneeze, for years", None),
    ("I get a few drops of blood from my nose", None), ("my grandson wet the bed last night lol", None),
    ("the dog soiled the carpet this morning", None),
    # the saddle area in other words
    ("since sunday I can't feel myself when I wipe", E), ("my whole seat area went numb this morning", E),
    ("the insides of my thighs feel like a jab at the dentist since monday", E),
    ("mum says since this morning she can't feel where she sits", E),
    # legs: worse over a day or two, not holding, not obeying
    ("over two days my legs have stopped holding me up", E), ("my legs went from ok to useless in one day", E),
    ("since this morning my leg won't do what I tell it", E), ("my leg strength has halved since yesterday", E),
    ("since yesterday my legs don't hold me when I stand up", E),
    ("rolled my ankle at football and it gave way", None), ("my thighs are like jelly after leg day", None),
    ("at the gym my legs suddenly gave out and now I can't lift my foot", E),
    # asked in general, then told as one's own; or an "if" with its night
    ("is groin numbness serious? mine started yesterday", E), ("is a numb groin serious? mine came on this morning", E),
    ("is it bad if I wet myself last night?", E), ("is groin numbness serious? my friend had it", None),
    ("if I lost control of my bladder, would I need surgery?", None),
    # feared, read about, long ago, resolved, someone who has died
    ("I'm terrified the anaesthetic will make me wet myself", None),
    ("I read horror stories about people losing feeling down there", None),
    ("my leg has been weaker since a car crash in the 90s", None),
    ("my knee gave way once last week but it's been fine since", None),
    ("my late husband couldn't pee for a day after his operation", None),
    ("my uncle had the procedure and his legs were weak for a day, then much better", None),
    ("can you tell me if stenosis makes you incontinent", None),
    # "number" is not "numb"
    ("number twos are normal, all good down below", None),
])
def test_session_20_wordings(text: str, alert: Any) -> None:
    assert assess(text).alert is alert


# An old-against-new review of the rows above found these wrong; each is right again
@pytest.mark.parametrize("text, alert", [
    ("I'm frightened, my groin is numb", E), ("my husband wet himself this morning, the kids are scared", E),
    ("Mum wet herself this morning while walking the dog", E),
    ("I hurt my back at the gym yesterday and now my legs are getting weaker and weaker", E),
    ("I twisted my back yesterday and my legs keep giving way", E), ("my legs gave out at golf today, first time ever", E),
    ("I lost control of my bowels in the last few hours, it got better for an hour then came back", E),
    ("my dad lost control of his bladder this morning, and his back pain got better", E),
    ("my mum couldn't feel her groin this morning, then better after a rest", E),
    ("I can't lift my foot since a fall on tuesday", E), ("stress incontinence since the procedure on monday", E),
    ("numb on the insides of both legs when I walk", None), ("my legs have been weak for months, surgery in 10 days", None),
    ("Is leg weakness a bad sign? Mine has been getting worse for years.", None),
    ("my bladder seems to have gone back to normal", None), ("I haven't been for a wee yet today", None),
    ("woke up with sheets wet after a hot night", None),
    ("I bought a packet of painkillers, going to take them with food", None),
    ("we chose the bridge route because it's flatter", None), ("Made my will, ready to go for the operation", None),
    ("my son takes me to appointments, he takes me everywhere", None), ("God takes me one day at a time", None),
    ("I asked God to take me through the operation safely", None),
    ("when she died it was a relief, she had suffered so long", None), ("what dose of morphine is lethal for a dog", None),
    ("I've given away my stuff, decluttering for the move", None),
    ("I hope I don't come round from the anaesthetic feeling sick", None),
])
def test_session_20_review(text: str, alert: Any) -> None:
    assert assess(text).alert is alert


# the groin named with the insides of the legs is the saddle (a helper's finding, session 20)
@pytest.mark.parametrize("text, alert", [
    ("my groin and the insides of my legs have been numb", E), ("her groin & insides of her legs went numb today", E),
    ("groin and inside of both legs feel dead since this morning", E),
    ("numb on the insides of both legs when I walk", None),
    ("my groin and the insides of my legs ache, but no numbness", None),
    ("groin and insides of my legs are fine, my feet go numb when I walk", None),
    # a review found the first version alerting on these: only linking words may stand before "numb"
    ("my groin area and the insides of both my legs are numb", E), ("groin and inside my legs went numb", E),
    ("my groin and the insides of my legs are not numb", None), ("my groin and the insides of my legs aren't numb", None),
    ("my groin and the insides of my legs have never been numb", None),
    ("my groin and the insides of my legs ache and my shins go numb when I walk", None),
    ("my groin and the insides of my legs ache and my legs fall asleep when I walk", None),
    ("my groin and the insides of my legs hurt, my local GP says it is a strain", None),
    ("my groin and the insides of my legs are dead sore after the gym", None),
])
def test_groin_with_the_insides_of_the_legs(text: str, alert: Any) -> None:
    assert assess(text).alert is alert
