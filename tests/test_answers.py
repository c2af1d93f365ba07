"""Free-text answers, against tables of patient phrasings (negated and mixed ones included)."""

from typing import List, Optional

import pytest

from bot.core.answers import (
    _clause_items,
    extract_items,
    forget_reply,
    is_correction,
    is_distance,
    is_skip,
    opening_reply,
    parse_care,
    parse_imaging,
    parse_minutes,
    parse_yes_no,
    read_turn,
    times_asked,
)
from bot.core.questionnaire import Answer

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
    ("maybe 5-10 minutes", 5), ("10 to 15 minutes", 10), ("5 or 10", 5), ("between 5 and 10 minutes", 5), ("five or ten", 5),
    ("maybe 5, 10 min", 5), ("10 and 15", None),
    ("between 100 and 200 yards", None), ("between 5 and 10 years", None),
    ("1,000", None), ("10,20 minutes", 10), ("a few minutes", 3), ("a couple of minutes", 2),
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
    # found by a helper (session 20): planned or referred is not tried yet
    ("the doctor wants me to do physio but I haven't started", []), ("I was referred for injections but never went", []),
    ("I started physio last month", [PT]), ("I didn't go to physio but I take tramadol", [MEDS]),
    ("I take ibuprofen, waiting for an MRI", [MEDS]), ("referred me to physio which I did for 6 weeks", [PT]),
    ("I've been waiting for physio for 6 weeks", []), ("no treatment yet, physio and an MRI are booked", []),
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
    # found by a helper (session 20): a scan of another part of the body
    ("an MRI of my neck, not my back", NO), ("they did an MRI on my knee", NO), ("only a brain scan", NO),
    ("an MRI of my knee and one of my lower back", YES), ("CT of my spine", YES),
]


@pytest.mark.parametrize("text, expected", IMAGING)
def test_imaging(text: str, expected: object) -> None:
    assert parse_imaging(text) == expected


ITEMS = [
    ("numbness in both legs and the soles of my feet, no burning though", {"q1": YES, "q5": YES, "q6": YES, "q9": NO}),
    ("both legs go numb and it burns around my buttocks", {"q1": YES, "q5": YES, "q9": YES}),
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
    assert extract_items(text) == expected


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
    from bot.core.answers import resolve_choice

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


# ---------------------------------------------------------------- everyday yes and no at every yes/no question

from bot.core.answers import (  # noqa: E402
    FOLLOW_UPS,
    Reply,
    consultation_reply,
    follow_up,
    is_pause,
    is_proxy,
    offer_reply,
    stop_reply,
    understand_reply,
)

# Written for this test: how patients accept, in their own words (typos and emoji included).
EVERYDAY_YES = [
    "yes", "Yes please", "yeah go on", "sure", "sure thing", "ok", "okay let's start", "fine", "fine by me",
    "why not", "why not, let's see", "go ahead", "go for it", "I guess", "I guess so", "I suppose",
    "alright then", "all right", "let's do it", "ok let's do this", "yes, that would be helpful",
    "yes please, that'd be a big help, thank you", "thank you, yes", "thanks, I'd like that", "yep", "yup",
    "yea", "ya", "yse", "yess", "yez", "absolutely", "of course", "definitely", "certainly", "please do",
    "I'd love to", "I'm ready", "ready when you are", "count me in", "sounds good to me", "I don't mind",
    "no problem, go ahead", "sure, why not?", "\U0001f44d", "yes I would", "I would like that very much",
    "ok sure", "yeah I think so", "that would be great", "Yes!!", "YES PLEASE", "yes of course, thanks so much",
]
# ... and how they decline or say no to a symptom.
EVERYDAY_NO = [
    "no", "No thanks", "nope", "nope, never", "nah", "not really", "no thank you", "no, thank you very much",
    "I'd rather not", "rather not", "not interested", "I'll pass", "no need", "not for me", "no, I'm fine",
    "I'm good, thanks", "never", "not at all", "absolutely not", "definitely not", "no way", "no I don't",
    "I don't think so", "don't want to", "I do not want to", "thanks, but no", "no, never had that",
    "nah I'm ok", "negative", "n", "not really, no", "I don't", "it doesn't", "not that I know of", "none",
    "\U0001f44e", "hell no", "no no", "nah thanks", "NO.", "Nope!", "no, that's not me", "never had it",
    "no, not since I can remember", "thank you but no",
]
UNSURE_WORDS = ["I don't know", "not sure", "can't say", "no idea", "I don't really know", "hard to tell",
                "maybe", "dunno", "I can't remember", "beats me"]
# the intents a classifier may give these (a thank-you, a greeting) must not change the reading
OTHER_INTENTS = [None, "affirm", "deny", "thanks", "greet", "goodbye", "nlu_fallback"]


def test_the_tables_are_big_enough() -> None:
    assert len(EVERYDAY_YES) >= 40 and len(EVERYDAY_NO) >= 40


@pytest.mark.parametrize("text", EVERYDAY_YES)
def test_everyday_yes_at_the_offer_and_at_items(text: str) -> None:
    for intent in OTHER_INTENTS:
        assert offer_reply(text, intent) is Reply.YES, intent
        assert consultation_reply(text, intent) is Reply.YES, intent
        assert understand_reply(text, intent) is Reply.YES, intent
    assert parse_yes_no(text) is YES  # the items' reading (validate_sshq_form, consent)


@pytest.mark.parametrize("text", EVERYDAY_NO)
def test_everyday_no_at_the_offer_and_at_items(text: str) -> None:
    for intent in OTHER_INTENTS:
        assert offer_reply(text, intent) is Reply.NO, intent
        assert understand_reply(text, intent) is Reply.NO, intent
    assert parse_yes_no(text) is NO


@pytest.mark.parametrize("text", UNSURE_WORDS)
def test_i_dont_know_is_an_answer_for_every_item(text: str) -> None:
    from bot.core.answers import parse_item

    assert parse_yes_no(text) is UNSURE
    for item in ("red_flags", "q1", "q5", "q10", "imaging"):
        assert parse_item(item, text) == "unsure", item
    assert parse_item("walking_minutes", text) == "unknown"
    assert parse_item("conservative_care", text) == "unknown"


PAUSES = ["not now", "not now, I have to go", "I have to go", "can we finish later", "gotta run",
          "sorry, I need to leave", "maybe later", "let's continue tomorrow", "I'm busy right now", "stop",
          "cancel", "I'd like to stop here", "can we do the rest another time"]
QUESTIONS = ["does that count?", "what do you mean by burning?", "how long does the procedure take",
             "is it only for older people?", "why do you need to know that?", "can I ask something first"]
PERSON = ["can I talk to a nurse instead", "I want to speak to a real person", "please have someone call me"]


@pytest.mark.parametrize("text", PAUSES)
def test_a_pause_is_never_a_yes_or_a_no(text: str) -> None:
    assert is_pause(text)
    for intent in OTHER_INTENTS + ["stop_questionnaire"]:
        assert understand_reply(text, intent) is Reply.PAUSE


@pytest.mark.parametrize("text", QUESTIONS + PERSON)
def test_a_question_or_a_request_for_a_person_is_never_an_answer(text: str) -> None:
    for intent in OTHER_INTENTS + ["faq_risks", "request_human"]:
        assert understand_reply(text, intent) is Reply.INTERRUPTION


def test_alerts_are_never_an_answer() -> None:
    for text in ("yes", "no", "my legs gave way this morning, yes"):
        assert understand_reply(text, "red_flag") is Reply.INTERRUPTION
        assert understand_reply(text, "crisis") is Reply.INTERRUPTION
        assert offer_reply(text, "red_flag") is Reply.INTERRUPTION


def test_asking_for_the_check_or_typing_for_someone_accepts_the_offer() -> None:
    assert offer_reply("I'll type my mother's answers") is Reply.YES
    assert offer_reply("let's do the quiz", "start_questionnaire") is Reply.YES
    assert understand_reply("let's do the quiz", "start_questionnaire") is None


def test_asking_to_be_called_accepts_the_consultation_offer() -> None:
    assert consultation_reply("please have someone call me", "request_human") is Reply.YES
    assert consultation_reply("can I call them myself?", "request_human") is Reply.INTERRUPTION


PROXY = ["I'll type my mother's answers", "I'm doing this for my husband", "these are my dad's symptoms",
         "I'm answering on behalf of my grandmother", "can I fill it in for her", "I'm asking for someone else"]


@pytest.mark.parametrize("text", PROXY)
def test_answering_for_someone_else_is_understood(text: str) -> None:
    assert is_proxy(text)


def test_speaking_of_oneself_is_not_answering_for_someone_else() -> None:
    for text in ("my legs hurt", "yes", "my doctor sent me", "I walk my dog for 10 minutes"):
        assert not is_proxy(text)


@pytest.mark.parametrize(
    "question, reply, done, expected",
    [
        ("utter_sshq_intro", Reply.YES, [], "action_sshq_reset"),
        ("utter_sshq_intro", Reply.YES, ["action_sshq_reset"], "sshq_form"),
        ("utter_sshq_intro", Reply.YES, ["action_sshq_reset", "sshq_form"], None),  # the form listens
        ("utter_sshq_intro", Reply.NO, [], "utter_sshq_later"),
        ("utter_sshq_intro", Reply.NO, ["utter_sshq_later"], "action_listen"),
        ("utter_sshq_intro", Reply.PAUSE, [], "utter_sshq_later"),
        ("utter_sshq_intro", Reply.INTERRUPTION, [], None),  # the rules answer
        ("utter_sshq_intro", None, [], None),
        ("utter_sshq_intro", Reply.YES, ["utter_action_server_down"], None),  # another policy took over
        ("utter_offer_consultation", Reply.YES, [], "consultation_form"),
        ("utter_offer_consultation", Reply.NO, [], "utter_no_consultation"),
        ("utter_sshq_confirm_stop", Reply.YES, [], "action_sshq_stopped"),
        ("utter_sshq_confirm_stop", Reply.PAUSE, [], "action_sshq_stopped"),
        ("utter_sshq_confirm_stop", Reply.NO, [], "sshq_form"),
        ("utter_sshq_confirm_stop", Reply.UNSURE, [], None),
        ("sshq_form", Reply.PAUSE, ["sshq_form"], "action_deactivate_loop"),
        ("sshq_form", Reply.PAUSE, ["sshq_form", "action_deactivate_loop"], "utter_sshq_confirm_stop"),
        ("sshq_form", Reply.YES, ["sshq_form"], None),  # an answer: the form's own business
        ("utter_greet", Reply.YES, [], None),
    ],
)
def test_follow_ups(question: str, reply: object, done: list, expected: object) -> None:
    assert follow_up(question, reply, done) == expected


def test_every_follow_up_is_a_known_action() -> None:
    import yaml

    from bot import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    known = set(domain["responses"]) | set(domain["actions"]) | set(domain["forms"]) | {
        "action_deactivate_loop", "action_listen"}
    for (question, _), chain in FOLLOW_UPS.items():
        assert question in known and set(chain) <= known, (question, chain)


@pytest.mark.parametrize("text, expected", [
    ("no, hang on, actually yes", YES), ("yes... sorry, I mean no", NO), ("nope. wait, yes it does", YES),
    ("noo", NO), ("nooo", NO), ("naw", NO), ("nop", NO),
])
def test_a_change_of_mind_and_typos(text: str, expected: Answer) -> None:
    assert parse_yes_no(text) is expected


def test_minutes_with_a_typo() -> None:
    assert parse_minutes("about 12 minuts") == 12 and parse_minutes("25 mintues tops") == 25


def test_the_opening_word_answers_the_question_asked() -> None:
    assert read_turn("yes, numb more than anything, instead of pain", "q8", None).values["q8"] == "yes"
    assert read_turn("no, it hurts as well", "q8", None).values["q8"] == "no"


def test_what_is_said_in_passing_is_kept_for_later_questions() -> None:
    reading = read_turn("physio twice a week, and a CT scan in the spring", "conservative_care", None)
    assert reading.values == {"conservative_care": ["physical_therapy"]} and reading.side == {"imaging": "yes"}
    reading = read_turn("yes, after standing for 12 minutes or so I must sit", "q3", None)
    assert reading.values["q3"] == "yes" and reading.side == {"walking_minutes": 12}
    assert read_turn("yes", "q3", None).side == {}


@pytest.mark.parametrize("text", ["I'm booked for an MRI next month", "my GP wants me to get a CT, haven't done it",
                                  "still waiting for the scan"])
def test_a_scan_not_had_yet_is_no(text: str) -> None:
    assert parse_imaging(text) is NO


# The rules of _clause_items, one clause's concepts at a time ("!" marks a negated concept):
# every condition each rule needs, each concept that turns its answer to no, and each concept
# whose negation does not count.
def _labels(spec: str) -> dict:
    return {word.lstrip("!"): word.startswith("!") for word in spec.split()}


def _items(spec: str) -> dict:
    return {item: Answer(value) for item, value in (pair.split("=") for pair in spec.split())}


CLAUSE_RULES = [
    ("BURN", ""), ("!BURN", "q9=no"), ("BURN !BUTTOCKS", "q9=no"), ("BURN BUTTOCKS", "q9=yes"),
    ("BURN SOLES", ""), ("!BURN SOLES", ""),  # burning in the feet is not burning around the buttocks
    ("NUMB BUTTOCKS", "q7=yes"), ("!NUMB BUTTOCKS", "q7=no"), ("NUMB !BUTTOCKS", "q7=no"), ("BUTTOCKS", ""),
    ("NUMB SOLES", "q6=yes"), ("!NUMB SOLES", "q6=no"), ("NUMB !SOLES", "q6=no"), ("SOLES", ""), ("NUMB", ""),
    ("NUMB LEGS_BOTH", "q5=yes q1=yes"), ("!NUMB LEGS_BOTH", "q5=no q1=no"), ("NUMB !LEGS_BOTH", "q5=no q1=no"),
    ("URINE WALK", "q10=yes"), ("URINE STAND", "q10=yes"), ("URINE !WALK", "q10=yes"), ("!URINE STAND", "q10=no"),
    ("URINE", ""), ("URINE REST PAIN", ""),
    ("BEND BETTER", "q4=yes"), ("BEND PAIN", "q4=yes"), ("BEND NUMB", "q4=yes"), ("BEND !PAIN", "q4=yes"),
    ("!BEND BETTER", "q4=no"), ("BEND !BETTER", "q4=no"), ("!BEND NUMB", "q4=no"), ("BEND", ""), ("BETTER PAIN", ""),
    ("STAND NUMB", "q3=yes"), ("STAND PAIN", "q3=yes"), ("!STAND PAIN", "q3=no"), ("STAND !NUMB", "q3=no"),
    ("STAND !PAIN", "q3=no"), ("STAND", ""), ("STAND PAIN URINE", "q10=yes"), ("STAND NUMB !URINE", "q10=no"),
    ("WALK REST NUMB", "q2=yes"), ("WALK WORSE PAIN", "q2=yes"), ("WALK !REST PAIN", "q2=yes"),
    ("!WALK REST PAIN", "q2=no"), ("WALK REST !NUMB", "q2=no"), ("WALK WORSE !PAIN", "q2=no"),
    ("WALK NUMB", ""), ("WALK REST", ""), ("REST PAIN", ""), ("WALK REST PAIN URINE", "q10=yes"),
    ("PAIN LEG_REGION", "q1=yes"), ("NUMB LEG_REGION", "q1=yes"), ("PAIN LEGS_BOTH", "q1=yes"),
    ("!PAIN LEG_REGION", "q1=no"), ("!NUMB LEG_REGION", "q1=no"), ("PAIN !LEG_REGION", "q1=no"),
    ("PAIN !LEGS_BOTH", "q1=no"), ("LEG_REGION", ""), ("PAIN", ""), ("", ""),
]


@pytest.mark.parametrize("labels, expected", CLAUSE_RULES)
def test_each_clause_rule_and_the_negations_that_turn_it(labels: str, expected: str) -> None:
    assert _clause_items(_labels(labels), "") == _items(expected)


# ---------------------------------------------------------------- exact readings, case by case
# (each table pins one rule of bot/answers.py with replies a patient would type)

# "I do not", "it does not": the yes-words "i do" / "it does" at the start must not win over
# the "not" that follows them (they read as yes until 2026-12-03).
@pytest.mark.parametrize("text", [
    "I do not", "I do not have that", "it does not", "it does not help", "I have not", "I am not",
    "they do not", "it is not", "I did not", "no I do not", "I do not, no",
])
def test_a_yes_word_followed_by_not_is_a_no(text: str) -> None:
    assert parse_yes_no(text) is NO
    assert understand_reply(text) is Reply.NO


@pytest.mark.parametrize("text, expected", [
    ("I do", YES), ("it does", YES), ("I have, yes", YES), ("I do not mind", YES), ("I am not sure", UNSURE),
    ("yes, I have. It is not constant", YES),
    # written out, "haven't noticed" stays what it is: doubt
    ("I have not noticed that", UNSURE), ("haven't noticed that", UNSURE),
])
def test_the_same_words_without_not_or_with_a_yes_phrase(text: str, expected: Answer) -> None:
    assert parse_yes_no(text) is expected


# q8, "numbness without any pain?", from the whole message: a symptom is denied only when every
# mention of it is (a pain denied at rest but named when walking is still pain; until 2026-12-03
# any denial won, and these read as "numbness without pain").
@pytest.mark.parametrize("text, q8", [
    ("numbness but no pain", YES),
    ("my legs go numb and they hurt too", NO),
    ("no pain when I sit, but walking is painful and my legs go numb", NO),
    ("it hurts when I walk, no pain when I sit, and my legs go numb", NO),
    ("no numbness in my legs, but my feet are numb and there's no pain", YES),
    ("no numbness, just pain in my legs", None),
    ("my legs hurt when I walk", None),
])
def test_numbness_without_pain_reads_every_mention(text: str, q8: object) -> None:
    assert extract_items(text).get("q8") == q8


# "I don't remember if ...", "not sure whether ...": NegEx reads their "not" as denying what
# follows, and until 2026-12-03 these were a no (no MRI, no treatment, no numbness in the feet).
@pytest.mark.parametrize("text, expected", [
    ("I don't remember if I had an MRI", UNSURE), ("not sure if I had a CT", UNSURE),
    ("I can't recall whether they did a scan", UNSURE), ("I don't know if it was a CT or an x-ray", UNSURE),
    # a plain denial, or unsure only of something else, is still a no
    ("I don't think I've had an MRI", NO), ("no MRI, not sure about a CT", NO),
    ("I don't remember if it was an x-ray", NO), ("never had an MRI, don't remember any x-rays", NO),
])
def test_not_remembering_whether_there_was_a_scan_is_unsure(text: str, expected: Answer) -> None:
    assert parse_imaging(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("I can't remember if I had injections", "unknown"), ("not sure if I had physio", "unknown"),
    ("no physio, and I can't remember if I had injections", "unknown"),
    ("I can't remember if I had injections, but I did physio", [PT]), ("I don't remember which pills", [MEDS]),
])
def test_not_remembering_whether_a_treatment_was_tried_is_unknown(text: str, expected: object) -> None:
    assert parse_care(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("I don't know if my feet are numb", {}), ("not sure whether my legs go numb", {}),
    ("numb feet, not sure if there's pain", {"q6": YES}),
    ("I'm not sure if it's both legs, but my feet are numb", {"q6": YES}),
    ("my feet are numb and my legs hurt, not sure if it burns", {"q6": YES, "q1": YES, "q8": NO}),
])
def test_a_clause_that_does_not_know_answers_no_item(text: str, expected: dict) -> None:
    assert extract_items(text) == expected


def test_not_knowing_whether_is_an_unsure_answer_to_the_question_asked() -> None:
    assert read_turn("I don't know if my feet are numb", "q6", None).values == {"q6": "unsure"}
    # said in passing, an unknown scan is not recorded as no scan
    assert read_turn("yes, I don't remember if I had a scan", "q1", None).side == {}


# Not knowing why or when a symptom comes says that it comes: "I don't know why my legs go numb"
# was a no to q1 until 2026-12-03 (NegEx took the "don't" for a denial).
@pytest.mark.parametrize("text, expected", [
    ("I don't know why my legs go numb when I walk", {"q1": YES}),
    ("not sure why my bum burns", {"q9": YES}),
    ("I don't remember when the numbness started in both legs", {"q5": YES, "q1": YES}),
    ("I don't have numbness in both legs", {"q5": NO, "q1": NO}),
])
def test_not_knowing_why_or_when_does_not_deny_the_symptom(text: str, expected: dict) -> None:
    assert extract_items(text) == expected


def test_a_scan_whose_date_is_forgotten_reads_as_unsure_both_ways_round() -> None:
    assert parse_imaging("I had an MRI, I don't remember when") is UNSURE
    assert parse_imaging("I can't remember when I had the MRI") is UNSURE


# "no problem", "no worries" accept when said alone, like "ok"; next to a clear no they only open
# the sentence ("no worries, none of those" read as yes until 2026-12-03).
@pytest.mark.parametrize("text, expected", [
    ("no problem", YES), ("no worries", YES), ("not a problem", YES), ("no problem, go ahead", YES),
    ("no worries, none of those", NO), ("no problem there, none of those", NO), ("no worries, I'm fine", NO),
])
def test_no_problem_is_a_weak_yes(text: str, expected: Answer) -> None:
    assert parse_yes_no(text) is expected
    assert understand_reply(text) is Reply(expected.value)


# Inside one clause too, a symptom is denied only when every mention of it is: typed without
# commas, "no pain while I sit my legs hurt when I walk" was a no to q1 and q2 until 2026-12-03.
@pytest.mark.parametrize("text, expected", [
    ("no pain while I sit my legs hurt when I walk", {"q1": YES, "q2": YES}),
    ("no numbness while sitting my legs go numb when I walk", {"q1": YES, "q2": YES}),
    ("tingling in my feet without numbness", {"q6": YES}),
    ("no numbness or tingling in my feet", {"q6": NO}),
])
def test_a_clause_that_denies_and_names_a_symptom_has_it(text: str, expected: dict) -> None:
    assert extract_items(text) == expected


# ---------------------------------------------------------------- typing as patients type

@pytest.mark.parametrize("text, expected", [
    # apostrophes left out
    ("I dont know", UNSURE), ("I cant say", UNSURE), ("it doesnt", NO), ("havent noticed", UNSURE), ("im in", YES),
    # a double space, capitals, an emoji and a comma first
    ("kind  of", YES), ("KIND OF", YES), ("\U0001f605, yes, I can't remember since when", YES),
])
def test_everyday_typing_reads_like_the_careful_form(text: str, expected: Answer) -> None:
    assert parse_yes_no(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("about 10 \U0001f642", 10), ("half  an hour", 30), ("15.", 15), ("about 10!", 10),
])
def test_minutes_typed_with_an_emoji_a_double_space_or_a_full_stop(text: str, expected: int) -> None:
    assert parse_minutes(text) == expected


# ---------------------------------------------------------------- yes / no in more words

@pytest.mark.parametrize("text, expected", [
    # a message that opens with a plain yes or no keeps it, whatever doubt follows
    ("yes, but I can't remember since when", YES), ("yeah, no idea why though", YES), ("yep, don't know why", YES),
    ("no, never noticed that", NO), ("nope, never noticed it", NO),
    # ... but doubt said first is doubt
    ("not sure, maybe yes", UNSURE),
    # "a little", "some" after a no or a "not" do not make it a yes
    ("no, some back pain but nothing in my legs", NO), ("not even a little", NO), ("not a bit", NO),
    # both said: the first one counts
    ("yes, not always", YES), ("no, it does get better when I sit", NO),
])
def test_a_yes_or_no_with_more_words(text: str, expected: Answer) -> None:
    assert parse_yes_no(text) is expected


# ---------------------------------------------------------------- minutes, each rule

@pytest.mark.parametrize("text, expected", [
    ("as long as I want", 60), ("I can walk for hours", 60), ("no limit", 60),
    ("not at all", 0), ("barely", 0), ("I can't walk at all", 0),
    ("I have to stop the minute I start walking", 1),
    ("depends on the day", "unknown"), ("it varies", "unknown"),
    # an article alone is not "one minute"
    ("a", None), ("an", None),
])
def test_minutes_in_words(text: str, expected: object) -> None:
    assert parse_minutes(text) == expected


# ---------------------------------------------------------------- a reply to a yes/no question, each rule

@pytest.mark.parametrize("text, intent, expected", [
    # nothing to read
    ("?", None, None), ("...", None, None), ("", "affirm", None),
    # the classifier heard a stop: a pause unless the words say yes or no
    ("I'm done with this", "stop_questionnaire", Reply.PAUSE), ("no, keep going", "stop_questionnaire", Reply.NO),
    # words the lists do not know: the classifier's affirm or deny decides, nothing else does
    ("spot on", "affirm", Reply.YES), ("spot on", None, None), ("spot on", "greet", None),
    ("I wouldn't say that", "deny", Reply.NO), ("I wouldn't say that", None, None),
    # asking for a person: only a yes is a yes
    ("human", "request_human", Reply.INTERRUPTION), ("no, I want an agent", "request_human", Reply.INTERRUPTION),
    ("yes, an agent please", "request_human", Reply.YES),
    # a short answer with a question mark is still an answer; a longer one, or a question, is not
    ("why not?", None, Reply.YES), ("not sure, what's that?", None, Reply.INTERRUPTION),
    ("yes, but does that matter?", None, Reply.INTERRUPTION), ("and if it's only tingling?", None, Reply.INTERRUPTION),
])
def test_understand_reply_rule_by_rule(text: str, intent: object, expected: object) -> None:
    assert understand_reply(text, intent) is expected


@pytest.mark.parametrize("text, intent, expected", [
    ("yes", "red_flag", Reply.INTERRUPTION), ("spot on", "affirm", Reply.YES), ("hmm", None, None),
    # asking for a person accepts the consultation, by the classifier or by the words
    ("human", "request_human", Reply.YES), ("I'd like to talk to a nurse", None, Reply.YES),
])
def test_consultation_reply_rule_by_rule(text: str, intent: object, expected: object) -> None:
    assert consultation_reply(text, intent) is expected


def test_at_the_offer_the_words_decide_over_the_classifier() -> None:
    assert offer_reply("no thanks", "start_questionnaire") is Reply.NO


def test_nothing_typed_is_not_a_question() -> None:
    from bot.core.answers import is_question

    assert is_question("") is False and is_question("   ") is False


@pytest.mark.parametrize("text, pause, stop", [
    ("bye", True, False), ("no more questions", True, True), ("stop the questionnaire", True, True),
    ("I can't stop the pain", False, False), ("the pain doesn't stop", False, False),
])
def test_pause_and_stop(text: str, pause: bool, stop: bool) -> None:
    from bot.core.answers import is_stop

    assert is_pause(text) is pause and is_stop(text) is stop


@pytest.mark.parametrize("text, alone", [
    ("not now, sorry", True), ("I have to go", True), ("ok, later", True), ("Please stop", True),
    ("maybe later this week", False), ("not today, tomorrow morning", False),
    ("I'm busy till 5, call after", False), ("", False),
])
def test_only_a_pause_is_a_pause_and_nothing_else(text: str, alone: bool) -> None:
    from bot.core.answers import is_only_a_pause

    assert is_only_a_pause(text) is alone



# ---------------------------------------------------------------- treatments and scans, each rule

@pytest.mark.parametrize("text, expected", [
    # only treatments gone without, or "nothing" in words the yes/no lists do not know
    ("I've managed without pills or physio", []), ("nada", []), ("zilch", []),
])
def test_care_none_in_other_words(text: str, expected: object) -> None:
    assert parse_care(text) == expected


@pytest.mark.parametrize("text", ["nothing has worked so far",
                                  "none of them helped", "been through all sorts, none of it did a thing"])
def test_care_tried_but_unnamed_is_asked_again_never_none(text: str) -> None:
    assert parse_care(text) is None  # tried, but which? "none" would advise trying care first


@pytest.mark.parametrize("text", ["all of them", "I tried all three", "the lot", "everything, nothing helped"])
def test_care_all_of_them_is_the_three_the_question_names(text: str) -> None:
    assert parse_care(text) == ["physical_therapy", "pain_medication", "epidural_steroid_injections"]


@pytest.mark.parametrize("text", [
    "I had an MRI, I don't remember when", "I had a scan, not sure which", "maybe a CT",
    "a scan, I don't know which kind", "had a CT but I can't remember the year",
])
def test_a_scan_with_a_doubt_is_unsure(text: str) -> None:
    assert parse_imaging(text) is UNSURE


def test_a_scan_gone_without_is_no() -> None:
    assert parse_imaging("I've been managing without a scan") is NO


@pytest.mark.parametrize("item, text, expected", [
    ("imaging", "only X-rays", "no"), ("imaging", "purple", None), ("q1", "purple", None),
    ("q1", "definitely", "yes"), ("walking_minutes", "ten minutes", 10), ("conservative_care", "physio", [PT]),
])
def test_parse_item_reads_each_kind_of_item(item: str, text: str, expected: object) -> None:
    from bot.core.answers import parse_item

    assert parse_item(item, text) == expected


@pytest.mark.parametrize("item, expected", [
    ("walking_minutes", "unknown"), ("conservative_care", "unknown"), ("imaging", "unsure"), ("q1", "unsure"),
])
def test_a_skipped_item_is_unsure_or_unknown(item: str, expected: str) -> None:
    from bot.core.answers import skip_value

    assert skip_value(item) == expected


def test_mentions_carry_their_words_and_negation() -> None:
    from bot.core.answers import Mention, mentions

    assert mentions("no numbness in my feet") == [Mention("NUMB", "numbness", True), Mention("SOLES", "my feet", True)]
    assert mentions("my legs ache") == [Mention("LEG_REGION", "legs", False), Mention("PAIN", "ache", False)]


# ---------------------------------------------------------------- one turn of the form, each rule

@pytest.mark.parametrize("text, requested, last, values, corrected", [
    # a correction that names the item it corrects: the item's own reading, not the opening "no"
    ("wait, no, I do get burning around my buttocks", "q10", "q9", {"q9": "yes"}, "q9"),
    # a correction of a minutes answer
    ("sorry, I meant 20 minutes", "q10", "walking_minutes", {"walking_minutes": 20}, "walking_minutes"),
    # an answer with no item words of its own
    ("definitely", "q5", "q4", {"q5": "yes"}, None),
    # the opening word answers the question asked, even where the details say otherwise ...
    ("yes, but not in both legs, only the left one", "q1", None, {"q1": "yes"}, None),
    ("nope, it's only my left leg", "q5", None, {"q5": "no"}, None),
    ("nah, just the left one", "q5", None, {"q5": "no"}, None),
    ("no worries, none of those", "red_flags", None, {"red_flags": "no"}, None),
    # ... unless the message changes its mind
    ("no, sorry, yes I do", "q5", "q4", {"q5": "yes"}, None),
    # ... and not for the questions that are not yes or no
    ("yes, only x-rays", "imaging", None, {"imaging": "no"}, None),
    ("yes, about 10 minutes", "walking_minutes", None, {"walking_minutes": 10}, None),
])
def test_read_turn_rule_by_rule(text: str, requested: str, last: object, values: dict, corrected: object) -> None:
    reading = read_turn(text, requested, last)
    assert (reading.values, reading.corrected) == (values, corrected)


@pytest.mark.parametrize("text, requested, side", [
    # scans: an X-ray only is no MRI or CT; a doubtful one is not kept
    ("my legs hurt, the x-ray showed arthritis", "q1", {"imaging": "no"}),
    ("yes, the doctor did a scan I think, not sure", "q1", {}),
    # each kind of treatment; none tried is not kept
    ("yes, I did physio for it", "q1", {"conservative_care": [PT]}),
    ("yes, ibuprofen helps a bit", "q1", {"conservative_care": [MEDS]}),
    ("yes, even after the epidural", "q1", {"conservative_care": [ESI]}),
    ("no, and I haven't tried physio", "q1", {}),
    # minutes of walking, standing or before a rest; not minutes of anything else
    ("yes, after walking 15 minutes", "q2", {"walking_minutes": 15}),
    ("yes, after standing 5 minutes", "q3", {"walking_minutes": 5}),
    ("yes, I need to sit down after 10 minutes", "q2", {"walking_minutes": 10}),
    ("yes, the pain lasts about 20 minutes", "q1", {}),
    # the question asked is answered, not kept aside
    ("I can walk 10 minutes", "walking_minutes", {}),
])
def test_what_is_said_in_passing_rule_by_rule(text: str, requested: str, side: dict) -> None:
    assert read_turn(text, requested, None).side == side


# ---------------------------------------------------------------- several items: what a clause borrows

@pytest.mark.parametrize("text", [
    # a clause about a treatment or a scan does not borrow the symptom before it: physio for
    # both legs is not numbness in both legs
    "my feet are numb, and I had physio for both legs",
    "my feet are numb, I take gabapentin for both legs",
    "my feet are numb, and I had injections on both sides",
    "my feet are numb, and the scan showed both sides are narrowed",
    "my feet are numb, and an x-ray of both legs was fine",
])
def test_a_treatment_or_scan_clause_borrows_no_symptom(text: str) -> None:
    assert extract_items(text) == {"q6": YES}


def test_every_clause_is_read_after_an_empty_one() -> None:
    # ", and" leaves an empty clause between the comma and the "and"
    assert extract_items("my feet are numb, and my buttocks burn") == {"q6": YES, "q9": YES}


# ---------------------------------------------------------------- small helpers

def test_the_first_numbered_choice_and_out_of_range_ones() -> None:
    from bot.core.answers import resolve_choice

    assert resolve_choice("1", ["Yes", "No"]) == "Yes"
    assert resolve_choice("0", ["Yes", "No"]) == "0"
    assert resolve_choice("3", ["Yes", "No"]) == "3"


def test_distances_in_streets_and_rooms() -> None:
    assert is_distance("to the end of the street") and is_distance("across the room")
    assert not is_distance("ten minutes")


@pytest.mark.parametrize("text, intent, expected", [
    ("can I do your questionnaire?", None, True), ("can I do the quiz", "affirm", True),
    ("my legs hurt when I walk", None, True), ("my legs hurt when I walk", "greet", True),
    ("my legs hurt when I walk", "out_of_scope", True), ("my legs hurt when I walk", "nlu_fallback", True),
    # intents with rules of their own, or an answer to something else
    ("my legs hurt when I walk", "faq_risks", False), ("is this questionnaire safe?", "faq_risks", False),
    # a story of the symptoms read as their own question wants the check; the plain question does not
    ("my legs hurt when I walk, is that claudication?", "faq_neurogenic_claudication", True),
    ("what is neurogenic claudication?", "faq_neurogenic_claudication", False),
    ("I don't have leg pain, what is claudication?", "faq_neurogenic_claudication", False),
    ("can you check if I have neurogenic claudication", "faq_neurogenic_claudication", True),
    ("my legs hurt when I walk", "affirm", False), ("hello", None, False),
])
def test_wants_the_check(text: str, intent: object, expected: bool) -> None:
    from bot.core.answers import wants_the_check

    assert wants_the_check(text, intent) is expected


@pytest.mark.parametrize(("question", "earlier", "count"), [
    ("utter_offer_consultation", ["action_sshq_result", "utter_offer_consultation", "action_listen"], 1),
    # answers and "Did you mean ...?" between do not end the run; anything else does
    ("utter_offer_consultation", ["utter_offer_consultation", "action_listen", "action_understand", "action_listen",
                                  "utter_faq_risks", "utter_offer_consultation", "action_listen"], 2),
    # a turn that answered alone (the question was dropped) or did anything else ends the run
    ("utter_offer_consultation", ["utter_offer_consultation", "action_listen", "utter_faq_risks", "action_listen",
                                  "utter_faq_fda_status", "utter_offer_consultation", "action_listen"], 1),
    ("utter_offer_consultation", ["utter_offer_consultation", "action_listen", "utter_greet", "action_listen"], 0),
    # the offer of the check and its short asking again are one question
    ("utter_sshq_offer_again", ["utter_sshq_intro", "action_listen", "utter_not_in_sources",
                                "utter_sshq_offer_again", "action_listen"], 2),
    ("utter_sshq_intro", ["utter_sshq_intro", "action_listen", "utter_out_of_scope", "utter_sshq_offer_again",
                          "action_listen"], 2),
])
def test_times_asked_counts_one_question_in_a_row(question: str, earlier: List[str], count: int) -> None:
    assert times_asked(question, earlier) == count


@pytest.mark.parametrize(("text", "reply"), [
    ("No thanks. How long is the recovery?", "no"),
    ("nope, what about the risks?", "no"),
    ("I'm good thanks, is it safe though?", "no"),
    ("not now, but is it safe?", "pause"),
    ("maybe later. how long does it take?", "pause"),
    # not a decline or a pause: a hesitation, a doubt, a story
    ("no idea, how long is it?", None),
    ("no wait, how long does it take?", None),
    ("no, I mean what is mild?", None),
    ("I don't understand, what is mild?", None),
    ("Never had surgery before, is it safe?", None),
    ("nothing helps anymore, would mild help me?", None),
    ("I have no time off work, how long is recovery?", None),
    ("no", None),  # nothing follows it
])
def test_opening_reply_is_a_whole_opening_clause(text: str, reply: Optional[str]) -> None:
    found = opening_reply(text)
    assert (found.value if found else None) == reply


@pytest.mark.parametrize(("text", "reply"), [
    ("yes, delete it", "yes"),
    ("sure, go ahead and wipe everything", "yes"),
    ("please don't", "no"),
    ("please no", "no"),
    ("I want to think about it", "no"),
    # asking to know more first is a question: nothing deleted, and the question comes again
    ("I'd like to know more first", "interruption"),
    ("please explain what gets deleted", "interruption"),
])
def test_forget_reply_deletes_only_on_a_plain_yes(text: str, reply: str) -> None:
    assert forget_reply(text, "affirm").value == reply


@pytest.mark.parametrize("text", ["please don't", "please no", "please, not yet", "please do not"])
def test_please_before_a_no_is_a_no(text: str) -> None:
    assert parse_yes_no(text) is NO


@pytest.mark.parametrize("text", ["Isn't it risky?", "doesn't it hurt?", "won't it leave a scar?", "can't they just inject it?"])
def test_a_negative_question_is_a_question_not_a_no(text: str) -> None:
    from bot.core.answers import is_question

    assert is_question(text) and understand_reply(text, "faq_risks") is Reply.INTERRUPTION


@pytest.mark.parametrize(("text", "expected"), [
    # pause words that tell a story inside a question: the question, not a pause
    ("I've got no time off work, how long is the recovery?", Reply.INTERRUPTION),
    ("I'm busy at the shop all week, when could I go back?", Reply.INTERRUPTION),
    ("I'd like to stop my pain pills, is that fine after mild?", Reply.INTERRUPTION),
    # a pause, whatever follows it or however it is asked
    ("not now, is it safe though?", Reply.PAUSE),
    ("could we finish this another time?", Reply.PAUSE),
    ("is it ok to stop for now?", Reply.PAUSE),
    ("I need to leave, is that alright?", Reply.PAUSE),
    ("stop?", Reply.PAUSE),
])
def test_a_pause_word_inside_a_question_is_not_a_pause(text: str, expected: Reply) -> None:
    assert understand_reply(text, "faq_return_to_work") is expected


@pytest.mark.parametrize(("text", "reply"), [
    # "please" accepts alone or with one more word, not as the politeness of a request
    ("please", Reply.YES), ("yes please", Reply.YES), ("please go", Reply.YES), ("ok then", Reply.YES),
    ("ok let me try", Reply.YES), ("alright, let's do the test", Reply.YES), ("fine with me", Reply.YES),
    ("ok ask away", Reply.YES),
    ("please stop", Reply.PAUSE), ("stop please", Reply.PAUSE), ("I'd like to quit", Reply.PAUSE),
    ("yes, I want to find out if I have it", Reply.YES),
    ("please say that again", Reply.INTERRUPTION),
    ("hold on a sec please", None),
    ("please remove everything you saved", None),
    # a question after an opening word, without a question mark
    ("ok so how big is the cut", Reply.INTERRUPTION),
    ("yeah and will it hurt after", Reply.INTERRUPTION),
    ("alright, do I need an MRI", Reply.INTERRUPTION),
    ("i'd like to hear about the recovery first", Reply.INTERRUPTION),
    ("what do you mean by that", Reply.INTERRUPTION),
    # a yes with a condition or an exclamation is a yes, not a question
    ("yes, whenever is easiest", Reply.YES), ("ok whatever you think", Reply.YES), ("yes, what a relief", Reply.YES),
    ("ok, I understand", Reply.YES), ("i want to know if i have it", Reply.YES),
    # not questions: acceptance with "do it", "is fine"
    ("yes, do it", Reply.YES), ("ok go", Reply.YES), ("sure that is fine", Reply.YES),
])
def test_please_and_questions_after_an_opening_word(text: str, reply: Optional[Reply]) -> None:
    assert understand_reply(text, "nlu_fallback") is reply


@pytest.mark.parametrize(("text", "reply"), [
    ("lets continue", Reply.NO), ("keep going please", Reply.NO), ("no wait, carry on", Reply.NO),
    ("next question", Reply.NO), ("don't stop", Reply.NO),
    ("yes stop", Reply.YES), ("yes, go ahead", Reply.YES), ("not now", Reply.PAUSE),
])
def test_carrying_on_at_do_you_want_to_stop_is_a_no(text: str, reply: Reply) -> None:
    assert stop_reply(text, "affirm") is reply


# ---------------------------------------------------------------- a reply inside the request form

from bot.core.contact import FormReply, misses_after, misses_at, read_form_reply  # noqa: E402


@pytest.mark.parametrize(("text", "slot", "reply"), [
    ("Will", "contact_name", FormReply.VALUE),  # a name, not a question
    # a wish not to give it, asked about: a question, not leaving ("never mind?" still leaves)
    ("what if I'd rather not give my name?", "contact_name", FormReply.QUESTION),
    ("I'd rather not give my number, can I give my email instead?", "contact_details", FormReply.QUESTION),
    ("never mind, can I just call them?", "contact_details", FormReply.CANCEL),
    # a moment's wait, a request for a person or for someone else: never stored as the name, number or time
    ("hang on one sec", "contact_name", FormReply.NOT_A_VALUE), ("just a moment", "contact_time", FormReply.NOT_A_VALUE),
    ("ok sorry, I'm back", "contact_details", FormReply.NOT_A_VALUE), ("be right back", "contact_name", FormReply.NOT_A_VALUE),
    ("bear with me", "contact_name", FormReply.NOT_A_VALUE), ("gimme a sec", "contact_details", FormReply.NOT_A_VALUE),
    ("1 sec, the door", "contact_time", FormReply.NOT_A_VALUE),
    ("I'd prefer to speak to a nurse", "contact_time", FormReply.NOT_A_VALUE),
    ("this is for my father actually", "contact_name", FormReply.NOT_A_VALUE),
    ("hang on, it's 555 201 3344", "contact_details", FormReply.VALUE),
    ("wait, how long is the recovery?", "contact_name", FormReply.QUESTION),
    ("yes I agree", "contact_name", FormReply.NOT_A_VALUE), ("ok", "contact_name", FormReply.NOT_A_VALUE),
    ("have a nurse ring me after 4pm", "contact_time", FormReply.VALUE),
    ("Nora Quinn", "contact_name", FormReply.VALUE),
    ("i'd rather not say", "contact_name", FormReply.CANCEL),
    ("nah forget it", "contact_details", FormReply.CANCEL),
    ("no", "contact_details", FormReply.CANCEL),
    ("no phone, sorry", "contact_details", FormReply.VALUE),  # about the contact: asked again
    ("not now, sorry", "contact_time", FormReply.CANCEL),
    ("never mind", "contact_consent", FormReply.CANCEL),
    ("no", "contact_consent", FormReply.VALUE),  # no consent is an answer
    ("not now", "contact_consent", FormReply.VALUE),  # the consent question asks again
    ("why do you need that?", "contact_details", FormReply.QUESTION),
    ("who gets to see it", "contact_consent", FormReply.QUESTION),
    ("evenings?", "contact_time", FormReply.VALUE),
    # only a bare no leaves: these answer
    ("no preference", "contact_time", FormReply.VALUE), ("not before 10am", "contact_time", FormReply.VALUE),
    ("at 3, no sorry 4 pm", "contact_time", FormReply.VALUE), ("Mo", "contact_name", FormReply.VALUE),
    ("Mr No", "contact_name", FormReply.VALUE),
    # a pause inside a time or a number is part of the answer
    ("not today, tomorrow morning", "contact_time", FormReply.VALUE), ("no time preference", "contact_time", FormReply.VALUE),
    ("07700900123, I'm busy till 5 though", "contact_details", FormReply.VALUE), ("Les Pause", "contact_name", FormReply.VALUE),
])
def test_a_reply_in_the_request_form(text: str, slot: str, reply: FormReply) -> None:
    assert read_form_reply(text, slot) is reply


def test_misses_are_counted_per_question() -> None:
    record = misses_after(misses_after(None, "contact_name"), "contact_name")
    assert (record, misses_at(record, "contact_name"), misses_at(record, "contact_time")) == ("contact_name:2", 2, 0)
    assert misses_after(record, "contact_time") == "contact_time:1"


def test_burning_elsewhere_is_not_burning_around_the_buttocks() -> None:
    # the q8 answer must not also count q9 (it raised the q5-q10 score by one)
    assert read_turn("ya it burns a bit in my feet", "q8", "q7").values == {"q8": "yes"}
    assert read_turn("it burns round my tailbone when I walk", "q8", "q7").values == {"q9": "yes"}
    # burning with no place named is where the clause before it was
    assert read_turn("yep, my bum goes numb, and there's a burning feeling as well", "q7", "q6").values == \
        {"q7": "yes", "q9": "yes"}
    assert read_turn("yep, my feet go numb, and they burn as well", "q7", "q6").values == {"q7": "yes", "q6": "yes"}
    # someone else's legs still count both legs
    assert extract_items("both of her legs go numb")["q5"] is Answer.YES


@pytest.mark.parametrize(("text", "item", "value"), [
    ("only the left leg", "q5", "no"), ("one leg only", "q5", "no"), ("yes, but just my right one", "q5", "no"),
    ("left foot only", "q6", "no"), ("not both, only one", "q5", "no"),
    ("both, the left one is worse", "q5", "yes"), ("my left leg and my right leg", "q5", "yes"),
    ("no, both are fine", "q5", "no"),
    ("yes, one leg worse than the other", "q5", "yes"), ("yes, the left leg especially", "q5", "yes"),
])
def test_one_side_is_a_no_to_both_legs_or_both_feet(text: str, item: str, value: str) -> None:
    assert read_turn(text, item, "q4").values[item] == value


@pytest.mark.parametrize(("text", "found"), [
    ("you can reach me at 555-818-9090", ("phone", "555-818-9090")),
    ("her number is 5558189090", ("phone", "5558189090")),
    ("ann@example.org please", ("email", "ann@example.org")),
    ("call me maybe", None),
])
def test_a_contact_inside_a_sentence(text: str, found: object) -> None:
    from bot.core.contact import clean_contact

    assert clean_contact(text) == found


@pytest.mark.parametrize(("text", "corrects"), [
    ("09.00-17.00", False), ("0830 1230", False), ("12/10/2024", False),
    ("555 201 3344", True), ("my number is 555 2013", True), ("rosa@example.org", True),
])
def test_a_time_that_looks_like_a_number_is_a_time(text: str, corrects: bool) -> None:
    from bot.core.contact import contact_correction

    assert (contact_correction(text) is not None) is corrects


@pytest.mark.parametrize(("text", "partial"), [
    ("yes but not my answers", True), ("yes, only contact me, don't share my answers", True),
    ("yes, I agree", False), ("yes please, that's fine", False), ("yes, but only contact me by email", False),
])
def test_a_yes_to_part_of_the_consent(text: str, partial: bool) -> None:
    from bot.core.contact import partial_consent

    assert partial_consent(text) is partial


@pytest.mark.parametrize("text, back", [
    ("I got the last one wrong", True), ("please go back, I answered the previous one wrong", True),
    ("oops my mistake", True), ("oh no, I answered the previous one wrong", True), ("I clicked no by accident", True),
    ("oops, wrong button", True), ("that was a mistake", True), ("previous question please", True),
    ("I said yes by mistake, it should be no", False),  # a correction with its answer
    ("can we go back to the last question", True), ("go back one", True),
    ("I made a mistake, it should be yes", False),  # a correction with its answer
    ("I go back to work next week", False), ("when I go back to walking it hurts", False), ("no", False),
])
def test_going_back_without_a_new_answer(text: str, back: bool) -> None:
    from bot.core.answers import asks_to_go_back

    assert asks_to_go_back(text) is back


@pytest.mark.parametrize("text, again", [
    ("start over", True), ("let's start from the beginning", True), ("begin again please", True),
    ("I want to redo it", True), ("can we do the questionnaire again", True),
    ("let's start", False), ("it starts in my lower back", False), ("yes", False),
    # found by a helper: "let me", "I need to" and "all over" were not read
    ("let me do it from the beginning", True), ("let me redo it from the beginning", True),
    ("I need to start all over again", True),
    ("could you go back to the start please", True), ("reset my answers", False), ("reset the answers", True),
    ("it started all over again last year", False), ("back to the start of my pain", False),
])
def test_starting_over_in_everyday_words(text: str, again: bool) -> None:
    from bot.core.answers import asks_to_start_over

    assert asks_to_start_over(text) is again


@pytest.mark.parametrize("text", ["ok I'm back", "back now, let's carry on", "ok, go on", "I'm back", "ok I'm back now",
                                  "back now, sorry about that", "right, I'm here again", "sorry, I'm back now", "ok, ready"])
def test_back_from_a_pause_carries_on_at_the_stop_question(text: str) -> None:
    from bot.core.answers import says_go_on, stop_reply

    assert stop_reply(text, "affirm") is Reply.NO
    assert understand_reply(text, "affirm") is not Reply.YES or says_go_on(text)


@pytest.mark.parametrize("text", ["yes please, once they've called me", "yes, after you've called me",
                                  "yes if nobody else sees it", "ok when I'm done"])
def test_a_yes_with_a_condition_never_deletes(text: str) -> None:
    assert forget_reply(text, "affirm") is Reply.NO


# ---------------------------------------------------------------- found by an old-against-new review (2026-12-05)

@pytest.mark.parametrize("text, reply", [
    ("yes, at once", "yes"), ("yes, once and for all", "yes"), ("yes if you can", "yes"), ("yes, after all", "yes"),
    ("yes please, when you can", "yes"), ("yes please, once they've called me", "no"),
])
def test_emphasis_is_no_condition_on_deleting(text: str, reply: str) -> None:
    assert forget_reply(text, "affirm").value == reply


@pytest.mark.parametrize("text, reply", [
    ("will someone call me?", Reply.INTERRUPTION), ("ok, how will someone contact me?", Reply.INTERRUPTION),
    ("is it a nurse who will call me?", Reply.INTERRUPTION), ("could a nurse ring me back?", Reply.YES),
])
def test_a_question_about_the_call_keeps_the_offer_and_a_call_asked_for_accepts_it(text: str, reply: Reply) -> None:
    assert consultation_reply(text, None) is reply


@pytest.mark.parametrize(("text", "slot", "reply"), [
    ("wait, yes I agree", "contact_consent", FormReply.VALUE), ("hang on, tomorrow at 10", "contact_time", FormReply.VALUE),
    ("I'm back from work at 6", "contact_time", FormReply.VALUE), ("wait, never mind", "contact_name", FormReply.CANCEL),
])
def test_a_wait_beside_an_answer_is_the_answer(text: str, slot: str, reply: FormReply) -> None:
    assert read_form_reply(text, slot) is reply


@pytest.mark.parametrize("text", ["I had lots of appointments but no treatment yet",
                                  "nothing has helped yet, haven't tried anything"])
def test_no_treatment_said_beside_nothing_helped_is_none(text: str) -> None:
    assert parse_care(text) == []


@pytest.mark.parametrize("text", ["yes, from the beginning", "i had to restart my medication",
                                  "about 10 minutes, then I do it again"])
def test_again_or_from_the_start_inside_an_answer_is_no_restart(text: str) -> None:
    from bot.core.answers import asks_to_start_over

    assert asks_to_start_over(text) is False


# ---------------------------------------------------------------- found by a second old-against-new review

CARE_ALL = ("physical_therapy", "pain_medication", "epidural_steroid_injections")

@pytest.mark.parametrize("text, expected", [
    ("everything hurts", None), ("it all started a year ago", None), ("everything", list(CARE_ALL)),
    ("I've tried it all", list(CARE_ALL)),
])
def test_everything_is_all_three_only_as_treatments_tried(text: str, expected: object) -> None:
    assert parse_care(text) == expected


@pytest.mark.parametrize("text", ["I fell by mistake", "I hurt it by accident", "I made a mistake lifting a box"])
def test_a_mistake_in_a_story_is_no_going_back(text: str) -> None:
    from bot.core.answers import asks_to_go_back

    assert asks_to_go_back(text) is False


@pytest.mark.parametrize("text", ["can someone call me? no wait, not yet", "can you email me the results?"])
def test_a_call_asked_for_is_the_whole_message(text: str) -> None:
    assert consultation_reply(text, None) is Reply.INTERRUPTION


def test_at_consent_an_ok_beside_a_wait_is_the_consent() -> None:
    assert read_form_reply("wait, ok", "contact_consent") is FormReply.VALUE


def test_at_consent_a_yes_with_rather_not_is_a_yes_with_a_wish() -> None:
    # found by a review (2026-12-05): "rather not" read as leaving the request, so the yes was a no
    assert read_form_reply("yes but I'd rather not get a call", "contact_consent") is FormReply.VALUE
    assert read_form_reply("I'd rather not", "contact_consent") is FormReply.CANCEL
    # a hedged yes with no wish about how stays a refusal: nothing is stored (second review)
    for hedged in ("yes but I'd rather not", "yes, but I'd rather not be contacted", "yes but I'm not comfortable",
                   "yes but I'd rather not have my details stored"):
        assert read_form_reply(hedged, "contact_consent") is FormReply.CANCEL, hedged


@pytest.mark.parametrize("text, requested, values", [
    # found by a helper (session 20): a limit is the symptom, not its denial
    ("I can't stand long at the sink, yes", "q3", {"q3": "yes"}),
    ("can't stand more than a few minutes without my calves aching", "q3", {"q3": "yes", "q1": "yes"}),
    # a denied symptom is no context for the next clause
    ("numbness in my shins, no pain, worse after walking", "q1", {"q1": "yes", "q2": "yes", "q8": "yes"}),
    ("no, standing doesn't bother me", "q3", {"q3": "no"}),
    ("I can stand all day without my legs hurting", "q3", {"q3": "no", "q1": "no"}),
    ("I can only stand 5 minutes without my legs hurting", "q3", {"q3": "yes", "q1": "yes"}),
    ("I can stand 5 minutes at most without my legs aching", "q3", {"q3": "yes", "q1": "yes"}),
])
def test_limits_and_denied_symptoms_in_a_description(text: str, requested: str, values: dict) -> None:
    from bot.core.answers import read_turn

    assert read_turn(text, requested, None).values == values


@pytest.mark.parametrize(("text", "item"), [
    ("the burning one, no", "q9"), ("burning? no", "q9"), ("burning around my bottom - nope", "q9"),
    ("numb buttocks? no", "q7"), ("thigh pain? no", "q1"),
])
def test_the_questions_symptom_named_back_then_denied_is_a_no(text: str, item: str) -> None:
    assert read_turn(text, item, None).values == {item: "no"}


@pytest.mark.parametrize(("text", "item", "values"), [
    # two parts: the no is the second part's, the first is a yes
    ("calves hurt, thighs no", "q1", {"q1": "yes"}), ("walking hurts, sitting no", "q2", {"q2": "yes"}),
    ("numb buttocks, groin no", "q7", {"q7": "yes"}), ("burning, tingling no", "q9", {"q9": "yes"}),
    ("it burns, numb no", "q9", {"q9": "yes"}),
    ("I have burning, no?", "q9", {"q9": "yes"}),  # a question tag, not an answer
])
def test_a_yes_told_before_a_no_about_something_else_stays_a_yes(text: str, item: str, values: dict) -> None:
    assert read_turn(text, item, None).values == values


@pytest.mark.parametrize(("text", "redo"), [
    ("wait, I made a mistake, I haven't had an MRI", True), ("I made a mistake", True),
    ("sorry, the walking one was wrong", True), ("the burning one should be no", True),
    ("I made a mistake, I don't have numbness in both legs", True),
    ("my mistake, yes please", False), ("sorry my mistake, no thanks", False),  # the offer answered
    ("I said no by accident, I'd like a consultation", False),
    ("sorry, what is an MRI?", False), ("wait, what if I can only walk 5 minutes?", False),  # questions
    ("yes, I've had an MRI", False), ("no thanks", False), ("no, the walking one is fine now", False),
])
def test_a_mistake_told_at_the_consultation_offer_offers_the_questions_again(text: str, redo: bool) -> None:
    from bot.core.answers import asks_to_redo

    assert asks_to_redo(text) is redo


@pytest.mark.parametrize(("text", "red_flag"), [
    ("I made a mistake, the safety question should be yes", True), ("I said no to the safety question by mistake", True),
    ("sorry, the bladder one is a yes", True),
    ("the safety question should be no, I made a mistake", False), ("what was the safety question?", False),
    ("wait, I made a mistake, I haven't had an MRI", False),
])
def test_a_red_flag_told_as_a_correction_of_the_safety_question(text: str, red_flag: bool) -> None:
    from bot.core.answers import safety_answer_corrected

    assert safety_answer_corrected(text) is red_flag


@pytest.mark.parametrize(("text", "value"), [
    ("mri no", "no"), ("MRI? no", "no"), ("ct scan - nope", "no"), ("cat scan, no", "no"),
    ("mri yes", "yes"), ("MRI last year, no", "yes"),  # a scan told, then a no to something else
])
def test_the_scan_named_back_then_denied_is_a_no(text: str, value: str) -> None:
    assert read_turn(text, "imaging", "conservative_care").values == {"imaging": value}
