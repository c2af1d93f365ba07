"""bot.core.understanding: answer, clarify, several answers or "not understood" (pure logic)."""

from __future__ import annotations

import pytest

from bot.core import understanding
from bot.core.understanding import Decision, Thresholds, clarify_buttons, decide, decision_from_parse, split_questions


@pytest.mark.parametrize(
    "text, expected",
    [
        ("how long does it take and will I be asleep?", ["how long does it take", "will I be asleep"]),
        ("How big is the cut? Do I need stitches?", ["How big is the cut", "Do I need stitches"]),
        ("what is mild, and how long is recovery", ["what is mild", "how long is recovery"]),
        ("is it safe? also when can I go back to work?", ["is it safe", "when can I go back to work"]),
        # one question, even with "and" or several sentences
        ("my back and legs hurt when I walk, what is it", ["my back and legs hurt when I walk, what is it"]),
        ("I'm 74 and my legs hurt. What is mild?", ["I'm 74 and my legs hurt. What is mild?"]),
        ("recovery time?", ["recovery time?"]),
        ("", [""]),
    ],
)
def test_split_questions(text: str, expected: list) -> None:
    assert split_questions(text) == expected


def test_a_confident_answer_is_the_intent() -> None:
    ranking = [("faq_anesthesia", 0.9), ("faq_risks", 0.05)]
    assert decide(ranking, [("faq_anesthesia", 0.93)]) == Decision("intent", intent="faq_anesthesia")


def test_a_confident_non_topic_intent_is_kept() -> None:
    assert decide([("ask_not_in_sources", 0.8), ("faq_recovery_time", 0.1)]) == Decision(
        "intent", intent="ask_not_in_sources"
    )


def test_unsure_between_two_topics_asks_which_most_likely_first() -> None:
    ranking = [("faq_recovery_time", 0.41), ("faq_return_to_work", 0.38), ("greet", 0.05)]
    assert decide(ranking, [("faq_return_to_work", 0.7)]) == Decision(
        "clarify", topics=("recovery_time", "return_to_work")
    )


def test_at_most_three_topics_are_offered() -> None:
    ranking = [("faq_risks", 0.3), ("faq_safety_evidence", 0.25), ("faq_benefits", 0.2), ("faq_effectiveness", 0.15)]
    assert decide(ranking).topics == ("risks", "safety_evidence", "benefits")


def test_a_close_neighbour_is_offered_when_the_classifier_is_unsure() -> None:
    ranking = [("out_of_scope", 0.4), ("ask_not_in_sources", 0.35), ("faq_implants", 0.05)]
    assert decide(ranking, [("faq_implants", 0.88)]) == Decision("clarify", topics=("implants",))


def test_nothing_close_is_not_understood() -> None:
    ranking = [("greet", 0.3), ("thanks", 0.25), ("faq_risks", 0.05)]
    assert decide(ranking, [("greet", 0.4)]) == Decision("not_understood")
    assert decide([]) == Decision("not_understood")


def test_unsure_only_between_no_topic_intents_says_so() -> None:
    ranking = [("ask_not_in_sources", 0.4), ("out_of_scope", 0.35), ("faq_risks", 0.05)]
    assert decide(ranking, [("out_of_scope", 0.5)]) == Decision("intent", intent="ask_not_in_sources")


def test_a_very_close_neighbour_of_another_topic_asks_instead_of_answering() -> None:
    ranking = [("faq_recovery_time", 0.7), ("faq_return_to_work", 0.2)]
    decision = decide(ranking, [("faq_return_to_work", 0.98)])
    assert decision == Decision("clarify", topics=("return_to_work", "recovery_time"))
    # without the second opinion the classifier's answer stands
    assert decide(ranking, [("faq_return_to_work", 0.98)], thresholds=Thresholds(use_neighbours=False)) == Decision(
        "intent", intent="faq_recovery_time"
    )


def test_a_topic_answer_in_doubt_of_the_sources_asks_instead() -> None:
    # the classifier is sure enough of a topic, but "not in the sources" and "off-topic"
    # together keep 0.25 of the ranking: offer the topic, with "something else"
    ranking = [("faq_imaging_required", 0.6), ("ask_not_in_sources", 0.2), ("out_of_scope", 0.05), ("faq_risks", 0.1)]
    doubtful = Thresholds(doubt=0.25)
    assert decide(ranking, thresholds=doubtful) == Decision("clarify", topics=("imaging_required", "risks"))
    # below the doubt share, or with the knob off, the answer stands
    assert decide(ranking, thresholds=Thresholds(doubt=0.26)) == Decision("intent", intent="faq_imaging_required")
    assert decide(ranking) == Decision("intent", intent="faq_imaging_required")
    # a confident "not in the sources" is not a topic in doubt
    assert decide([("ask_not_in_sources", 0.7), ("faq_risks", 0.3)], thresholds=doubtful) == Decision(
        "intent", intent="ask_not_in_sources"
    )


def test_unsure_but_asking_for_a_person_gets_the_contact() -> None:
    # the clinic's contact does no harm when it was not meant; "not understood" would strand the patient
    ranking = [("request_human", 0.45), ("ask_not_in_sources", 0.12), ("affirm", 0.06)]
    assert decide(ranking, [("request_human", 0.59)]) == Decision("intent", intent="request_human")
    # too weak, or not ahead of the next guess: not a guess to act on
    assert decide([("request_human", 0.2), ("greet", 0.1)]) == Decision("not_understood")
    assert decide([("request_human", 0.4), ("greet", 0.38)]) == Decision("not_understood")
    # other intents keep the rule: unsure is not an answer
    assert decide([("start_over", 0.45), ("greet", 0.1)]) == Decision("not_understood")


def test_without_clarifying_unsure_is_not_understood() -> None:
    ranking = [("faq_recovery_time", 0.41), ("faq_return_to_work", 0.38)]
    assert decide(ranking, thresholds=Thresholds(clarify=False)) == Decision("not_understood")


def test_two_clear_questions_get_two_topics_in_order() -> None:
    ranking = [("faq_anesthesia", 0.5), ("faq_procedure_duration", 0.4)]
    clauses = [[("faq_procedure_duration", 0.9)], [("faq_anesthesia", 0.85)]]
    assert decide(ranking, [], clauses) == Decision("topics", topics=("procedure_duration", "anesthesia"))


@pytest.mark.parametrize(
    "clauses",
    [
        [[("faq_procedure_duration", 0.9)], [("faq_anesthesia", 0.5)]],  # one clause unclear
        [[("faq_procedure_duration", 0.9)], [("ask_not_in_sources", 0.9)]],  # one not a topic
        [[("faq_procedure_duration", 0.9)], [("faq_procedure_duration", 0.88)]],  # the same topic twice
        [[("faq_procedure_duration", 0.9)], [("faq_fda_status", 0.9)]],  # not among the classifier's guesses
    ],
)
def test_several_questions_need_each_clear_and_plausible(clauses: list) -> None:
    ranking = [("faq_anesthesia", 0.5), ("faq_procedure_duration", 0.4), ("ask_not_in_sources", 0.1)]
    assert decide(ranking, [], clauses).kind != "topics"


def test_decision_from_parse_data() -> None:
    parse = {"understanding": {"kind": "clarify", "intent": None, "topics": ["risks", "safety_evidence"]}}
    assert decision_from_parse(parse) == Decision("clarify", topics=("risks", "safety_evidence"))
    assert decision_from_parse({}) == Decision("not_understood")
    assert decision_from_parse(None) == Decision("not_understood")
    assert decision_from_parse({"understanding": {"kind": "clarify", "topics": []}}) == Decision("not_understood")
    assert decision_from_parse({"understanding": {"kind": "bogus"}}) == Decision("not_understood")
    assert decision_from_parse({"understanding": "clarify"}) == Decision("not_understood")
    # the decision stands while the intent is still the one it set ...
    ours = {"kind": "clarify", "topics": ["risks"], "confidence": 0.4}
    assert decision_from_parse({"intent": {"name": "nlu_fallback", "confidence": 0.4}, "understanding": ours}).kind == "clarify"
    # ... not after the safety net put its own (unusable input, an alert)
    assert decision_from_parse({"intent": {"name": "nlu_fallback", "confidence": 1.0}, "understanding": ours}).kind == (
        "not_understood"
    )


def test_clarify_buttons_one_per_topic_then_something_else() -> None:
    titles = {"risks": "What are the risks?", "safety_evidence": "How safe is mild?"}
    assert clarify_buttons(["risks", "safety_evidence"], titles, "Something else") == [
        {"title": "What are the risks?", "payload": "/faq_risks"},
        {"title": "How safe is mild?", "payload": "/faq_safety_evidence"},
        {"title": "Something else", "payload": "/ask_not_in_sources"},
    ]


def test_topic_helpers() -> None:
    assert understanding.is_topic("faq_risks") and not understanding.is_topic("greet")
    assert not understanding.is_topic(None)
    assert understanding.topic_id("faq_risks") == "risks"


@pytest.mark.parametrize(
    "text",
    ["I have stenosis and can I have mild", "my wife and I want to know what mild is", "pain and numbness, what is it"],
)
def test_a_statement_joined_to_a_question_is_one_question(text: str) -> None:
    assert split_questions(text) == [text]


def test_an_unsure_classifier_agreeing_with_a_close_neighbour_answers() -> None:
    ranking = [("faq_incision_size", 0.35), ("faq_implants", 0.3)]
    assert decide(ranking, [("faq_incision_size", 0.9)]) == Decision("intent", intent="faq_incision_size")
    assert decide(ranking, [("faq_incision_size", 0.7)]).kind == "clarify"  # not close enough
    assert decide([("greet", 0.3), ("faq_risks", 0.2)], [("greet", 1.0)]) == Decision("intent", intent="greet")


def test_a_topic_hidden_behind_a_no_topic_guess_is_rescued_by_a_very_close_example() -> None:
    ranking = [("ask_not_in_sources", 0.99), ("faq_recovery_time", 0.01)]
    assert decide(ranking, [("faq_recovery_time", 0.95)]) == Decision("intent", intent="faq_recovery_time")
    # not when the example is only somewhat close: the sources do not answer it
    assert decide(ranking, [("faq_recovery_time", 0.85)]) == Decision("intent", intent="ask_not_in_sources")


def test_blend_is_the_weighted_mean_of_both_rankings() -> None:
    diet = [("faq_risks", 0.6), ("faq_recovery_time", 0.3), ("greet", 0.1)]
    linear = [("faq_recovery_time", 0.7), ("faq_risks", 0.2), ("faq_cost", 0.1)]
    blended = understanding.blend(diet, linear, 0.5)
    assert [n for n, _ in blended] == ["faq_recovery_time", "faq_risks", "greet", "faq_cost"]
    assert [round(c, 3) for _, c in blended] == [0.5, 0.4, 0.05, 0.05]
    # the weight is the second opinion's share
    assert understanding.blend(diet, linear, 0.25)[0] == ("faq_risks", pytest.approx(0.5))


def test_blend_without_a_second_opinion_is_the_first_ranking() -> None:
    diet = [("faq_risks", 0.6), ("greet", 0.4)]
    assert understanding.blend(diet, [], 0.5) == diet
    assert understanding.blend(diet, [("greet", 1.0)], 0.0) == diet
    assert understanding.blend([], [("greet", 1.0)], 0.5) == [("greet", 1.0)]
    assert understanding.blend(diet, [("greet", 1.0)], 1.0) == [("greet", 1.0)]


def test_blend_keeps_the_top_few_and_breaks_ties_by_the_first_ranking() -> None:
    first = [(f"i{k}", 0.1) for k in range(10)]
    second = [(f"i{k}", 0.1) for k in reversed(range(10))]
    blended = understanding.blend(first, second, 0.5, keep=3)
    assert [n for n, _ in blended] == ["i0", "i1", "i2"]


@pytest.mark.parametrize(
    "text, expected",
    [
        # small talk, then the question
        ("Lovely and sunny here today. What sort of pain relief will I get?", "What sort of pain relief will I get?"),
        # a story, then the question
        ("My legs ache. I am 80. Will it help me walk further?", "Will it help me walk further?"),
        # several questions: a later one may lean on an earlier one, so none is read alone
        ("Is this normal? My legs ache. Will it help me walk further?", None),
        ("What's the check for? How long does it take?", None),
        # no question mark: the last sentence
        ("I had two shots last year. None of them worked. tell me the options", "tell me the options"),
        ("Hello!! how soon can I drive", "how soon can I drive"),
        # one sentence: nothing to focus on
        ("how soon can I drive?", None),
        ("my legs ache when I walk and I want to know if it helps", None),
        ("", None),
        ("   ", None),
    ],
)
def test_focus_question_is_the_last_question_of_several_sentences(text: str, expected: object) -> None:
    assert understanding.focus_question(text) == expected


CLARIFY = Decision("clarify", topics=("recovery_time", "procedure_duration"))


def test_the_last_question_alone_picks_an_offered_topic() -> None:
    focus = [("faq_recovery_time", 0.8), ("faq_procedure_duration", 0.1)]
    assert understanding.refocus(CLARIFY, focus) == Decision("intent", intent="faq_recovery_time")


@pytest.mark.parametrize(
    "focus",
    [
        [],  # a message of one sentence
        [("faq_recovery_time", 0.74), ("faq_procedure_duration", 0.1)],  # not sure enough
        [("faq_recovery_time", 0.78), ("faq_procedure_duration", 0.75)],  # no clear margin
        [("faq_risks", 0.95), ("faq_recovery_time", 0.02)],  # a topic that was not offered
        [("ask_not_in_sources", 0.95), ("faq_recovery_time", 0.02)],  # not a topic
    ],
)
def test_otherwise_the_clarifying_question_stays(focus: list) -> None:
    assert understanding.refocus(CLARIFY, focus) == CLARIFY


@pytest.mark.parametrize(
    "decision",
    [Decision("intent", intent="faq_risks"), Decision("not_understood"),
     Decision("topics", topics=("risks", "recovery_time"))],
)
def test_only_a_clarifying_question_is_refocused(decision: Decision) -> None:
    assert understanding.refocus(decision, [("faq_recovery_time", 0.99)]) == decision


def test_refocus_is_off_above_one() -> None:
    focus = [("faq_recovery_time", 0.99), ("faq_procedure_duration", 0.0)]
    assert understanding.refocus(CLARIFY, focus, Thresholds(focus=1.01)) == CLARIFY


# the second reading: a larger encoder's linear ranking for a message the first reading was unsure of
SURE = [("faq_recovery_time", 0.9), ("faq_procedure_duration", 0.04), ("ask_not_in_sources", 0.01)]


@pytest.mark.parametrize("first", [CLARIFY, Decision("not_understood")])
def test_an_unsure_first_reading_takes_the_second_readings_topic(first: Decision) -> None:
    assert understanding.wants_second_reading(first)
    assert understanding.second_reading(first, SURE) == Decision("intent", intent="faq_recovery_time")


@pytest.mark.parametrize(
    "first",
    [Decision("intent", intent="faq_risks"), Decision("intent", intent="ask_not_in_sources"),
     Decision("topics", topics=("risks", "recovery_time"))],
)
def test_a_decided_message_is_not_read_again(first: Decision) -> None:
    assert not understanding.wants_second_reading(first)
    assert understanding.second_reading(first, SURE) == first


@pytest.mark.parametrize(
    "second",
    [
        [],  # no second ranking
        # "not in the sources" and "off-topic" together at the limit (0.05): the patient may ask
        # something the sources do not answer, so "Did you mean ...?" (with "something else") stays
        [("faq_recovery_time", 0.9), ("ask_not_in_sources", 0.03), ("out_of_scope", 0.02)],
        [("faq_recovery_time", 0.5), ("faq_procedure_duration", 0.48)],  # unsure again: no margin
        [("faq_recovery_time", 0.4), ("faq_procedure_duration", 0.1)],  # unsure again: too low
        [("ask_not_in_sources", 0.9), ("faq_recovery_time", 0.04)],  # no topic: not an answer
        [("greet", 0.96), ("faq_recovery_time", 0.02)],  # not a topic
    ],
)
def test_otherwise_the_first_decision_stays(second: list) -> None:
    assert understanding.second_reading(CLARIFY, second) == CLARIFY


def test_the_second_reading_is_off_at_zero() -> None:
    off = Thresholds(reread=0.0)
    assert not understanding.wants_second_reading(CLARIFY, off)
    assert understanding.second_reading(CLARIFY, SURE, thresholds=off) == CLARIFY


def test_the_second_reading_keeps_the_nearest_examples_opinion() -> None:
    # a topic's training example almost identical to the message: the first-reading rules still hold
    # (the two opinions disagree about a topic: ask rather than guess)
    near = [("faq_procedure_duration", 0.97)]
    assert understanding.second_reading(CLARIFY, SURE, near) == CLARIFY


@pytest.mark.parametrize(
    "text",
    [
        "can you check my symptoms",  # asks for the check
        "my legs go numb when I walk to the shop and I have to sit down",  # tells a story of its symptoms
    ],
)
def test_a_message_that_gets_the_offer_of_the_check_is_not_read_again(text: str) -> None:
    # its unsure reading gets "Did you mean ...?" and the offer of the check; a topic answer would drop the offer
    assert not understanding.wants_second_reading(CLARIFY, text=text)
    assert understanding.second_reading(CLARIFY, SURE, text=text) == CLARIFY
    assert understanding.wants_second_reading(CLARIFY, text="how long until I can drive")


@pytest.mark.parametrize("text, intent", [
    ("will you delete my number afterwards?", "ask_privacy"), ("what happens to my answers if I delete the chat?", "ask_privacy"),
    ("do you delete these chats?", "ask_privacy"),
    ("delete my data", "forget_me"), ("can you delete my data?", "forget_me"), ("how do I delete my data?", "forget_me"),
    ("could you delete my number once they call me?", "forget_me"),
])
def test_a_question_about_deleting_gets_the_privacy_answer(text: str, intent: str) -> None:
    from bot.core.understanding import asked_about_deleting

    assert asked_about_deleting(Decision("intent", intent="forget_me"), text) == Decision("intent", intent=intent)
    assert asked_about_deleting(Decision("intent", intent="faq_risks"), text) == Decision("intent", intent="faq_risks")


# unsure only between topics, one clearly ahead: that topic (understanding.settle)
LEADS = [("faq_recovery_time", 0.42), ("faq_procedure_duration", 0.2), ("ask_not_in_sources", 0.08), ("out_of_scope", 0.03)]


def test_a_clear_leader_between_topics_only_is_the_answer() -> None:
    assert understanding.settle(CLARIFY, LEADS, text="how long till im ok") == Decision("intent", intent="faq_recovery_time")


@pytest.mark.parametrize(
    "ranking",
    [
        # "not in the sources" and "off-topic" together at the limit (0.15): the patient may ask
        # something the sources do not answer, so "Did you mean ...?" (with "something else") stays
        [("faq_recovery_time", 0.42), ("faq_procedure_duration", 0.2), ("ask_not_in_sources", 0.1), ("out_of_scope", 0.05)],
        [("faq_recovery_time", 0.42), ("faq_procedure_duration", 0.33)],  # no clear lead (under 0.1)
        [("faq_recovery_time", 0.34), ("faq_procedure_duration", 0.1)],  # too unsure (under 0.35)
        # a confident answer a near example of another topic turned into a question: not undone
        [("faq_recovery_time", 0.8), ("faq_procedure_duration", 0.1)],
        [("faq_risks", 0.45), ("faq_recovery_time", 0.1)],  # the leader is not among the topics offered
        [("request_human", 0.5), ("faq_recovery_time", 0.1)],  # not a topic
        [],
    ],
)
def test_otherwise_the_clarifying_question_stays_between_topics(ranking: list) -> None:
    assert understanding.settle(CLARIFY, ranking, text="how long till im ok") == CLARIFY


@pytest.mark.parametrize(
    "decision",
    [Decision("intent", intent="faq_risks"), Decision("not_understood"), Decision("topics", topics=("risks", "recovery_time"))],
)
def test_only_a_clarifying_question_is_settled(decision: Decision) -> None:
    assert understanding.settle(decision, LEADS) == decision


def test_a_message_that_gets_the_offer_of_the_check_keeps_its_clarifying_question() -> None:
    # its clarifying question comes with the offer of the check, which a topic answer would drop
    assert understanding.settle(CLARIFY, LEADS, text="my legs go numb when I walk to the shop and I have to sit down") == CLARIFY


def test_a_stronger_opinion_against_it_keeps_the_clarifying_question() -> None:
    # a training example of the other topic almost identical to the message
    assert understanding.settle(CLARIFY, LEADS, neighbours=[("faq_procedure_duration", 0.97)]) == CLARIFY
    # the same topic's example, or one not that close, does not stand in the way
    settled = Decision("intent", intent="faq_recovery_time")
    assert understanding.settle(CLARIFY, LEADS, neighbours=[("faq_recovery_time", 0.97)]) == settled
    assert understanding.settle(CLARIFY, LEADS, neighbours=[("faq_procedure_duration", 0.9)]) == settled
    # the larger encoder's second reading leaning to "not in the sources" (0.15 or more)
    assert understanding.settle(CLARIFY, LEADS, second=[("faq_recovery_time", 0.8), ("ask_not_in_sources", 0.15)]) == CLARIFY
    assert understanding.settle(CLARIFY, LEADS, second=[("faq_recovery_time", 0.86), ("ask_not_in_sources", 0.14)]) == settled


def test_at_most_three_topics_are_offered_when_not_in_the_sources_is_reconsidered() -> None:
    ranking = [("ask_not_in_sources", 0.2), ("faq_risks", 0.2), ("faq_recovery_time", 0.2), ("faq_anesthesia", 0.2),
               ("faq_implants", 0.2)]
    assert understanding.reconsider_no_topic(NOT_IN_SOURCES, ranking) == Decision(
        "clarify", topics=("risks", "recovery_time", "anesthesia"))


def test_the_answer_between_topics_is_off_above_one() -> None:
    assert understanding.settle(CLARIFY, LEADS, Thresholds(between_topics=1.01)) == CLARIFY


# "not in the sources" with a topic close: ask whether that topic was meant (understanding.reconsider_no_topic)
NOT_IN_SOURCES = Decision("intent", intent="ask_not_in_sources")


def test_not_in_the_sources_with_topics_close_asks_which_most_likely_first() -> None:
    ranking = [("ask_not_in_sources", 0.6), ("faq_incision_size", 0.2), ("faq_risks", 0.15), ("faq_recovery_time", 0.05)]
    assert understanding.reconsider_no_topic(NOT_IN_SOURCES, ranking) == Decision("clarify", topics=("incision_size", "risks"))


@pytest.mark.parametrize(
    "decision, ranking",
    [
        # no topic at 0.15: the not-in-sources answer stays
        (NOT_IN_SOURCES, [("ask_not_in_sources", 0.8), ("faq_incision_size", 0.14), ("out_of_scope", 0.06)]),
        # off-topic, or any other answer, is not reconsidered
        (Decision("intent", intent="out_of_scope"), [("out_of_scope", 0.6), ("faq_incision_size", 0.3)]),
        (Decision("intent", intent="faq_risks"), [("faq_risks", 0.6), ("faq_incision_size", 0.3)]),
        (Decision("not_understood"), [("ask_not_in_sources", 0.4), ("faq_incision_size", 0.3)]),
        (CLARIFY, [("ask_not_in_sources", 0.4), ("faq_incision_size", 0.3)]),
        # a close intent that is no topic
        (NOT_IN_SOURCES, [("ask_not_in_sources", 0.6), ("request_human", 0.3)]),
    ],
)
def test_otherwise_the_decision_is_not_reconsidered(decision: Decision, ranking: list) -> None:
    assert understanding.reconsider_no_topic(decision, ranking) == decision


def test_reconsidering_not_in_the_sources_is_off_above_one_or_without_clarifying() -> None:
    ranking = [("ask_not_in_sources", 0.6), ("faq_incision_size", 0.3)]
    assert understanding.reconsider_no_topic(NOT_IN_SOURCES, ranking, Thresholds(no_topic_doubt=1.01)) == NOT_IN_SOURCES
    assert understanding.reconsider_no_topic(NOT_IN_SOURCES, ranking, Thresholds(clarify=False)) == NOT_IN_SOURCES


def test_a_topic_needs_more_confidence_than_any_other_intent() -> None:
    # a topic answer from 0.60; privacy, deleting, small talk or "not in the sources" from 0.55 as before
    assert decide([("ask_privacy", 0.57), ("forget_me", 0.2)]) == Decision("intent", intent="ask_privacy")
    assert decide([("faq_risks", 0.57), ("faq_recovery_time", 0.2)]).kind == "clarify"
    assert decide([("faq_risks", 0.6), ("faq_recovery_time", 0.2)]) == Decision("intent", intent="faq_risks")
    assert decide([("ask_privacy", 0.54), ("forget_me", 0.2)]) != Decision("intent", intent="ask_privacy")


# a clarifying question whose likeliest topic most of the separate opinions rank first (understanding.agreed)
RECOVERY_FIRST = [("faq_recovery_time", 0.4), ("faq_procedure_duration", 0.3)]
DURATION_FIRST = [("faq_procedure_duration", 0.5), ("faq_recovery_time", 0.2)]
NO_TOPIC_FIRST = [("ask_not_in_sources", 0.4), ("faq_recovery_time", 0.3)]


@pytest.mark.parametrize("opinions", [
    (RECOVERY_FIRST, RECOVERY_FIRST, RECOVERY_FIRST, DURATION_FIRST),
    (NO_TOPIC_FIRST, RECOVERY_FIRST, RECOVERY_FIRST, RECOVERY_FIRST),
    (RECOVERY_FIRST, RECOVERY_FIRST, [], [("faq_recovery_time", 0.7)]),  # not read again: all three others agree
])
def test_three_opinions_on_the_likeliest_topic_answer_it(opinions: tuple) -> None:
    assert understanding.agreed(CLARIFY, opinions[0], opinions[1:3], opinions[3], text="how long till im ok") == Decision(
        "intent", intent="faq_recovery_time")


@pytest.mark.parametrize("opinions", [
    (RECOVERY_FIRST, RECOVERY_FIRST, DURATION_FIRST, NO_TOPIC_FIRST),  # two only
    (DURATION_FIRST, DURATION_FIRST, DURATION_FIRST, RECOVERY_FIRST),  # they agree on the second topic offered
    (RECOVERY_FIRST, RECOVERY_FIRST, [], []),
])
def test_fewer_than_three_on_the_likeliest_topic_keep_the_clarifying_question(opinions: tuple) -> None:
    assert understanding.agreed(CLARIFY, opinions[0], opinions[1:3], opinions[3], text="how long till im ok") == CLARIFY


def test_agreement_is_for_clarifying_questions_only_and_can_be_turned_off() -> None:
    all_four = (RECOVERY_FIRST,) * 4
    for decision in (Decision("not_understood"), NOT_IN_SOURCES, Decision("topics", topics=("risks", "recovery_time"))):
        assert understanding.agreed(decision, RECOVERY_FIRST, all_four[1:3], RECOVERY_FIRST) == decision
    assert understanding.agreed(CLARIFY, RECOVERY_FIRST, all_four[1:3], RECOVERY_FIRST,
                                understanding.Thresholds(agree_opinions=5)) == CLARIFY
    # a symptom story's clarifying question comes with the offer of the check, which an answer would drop
    story = "my legs go numb when I walk to the shop and I have to sit down"
    assert understanding.agreed(CLARIFY, RECOVERY_FIRST, all_four[1:3], RECOVERY_FIRST, text=story) == CLARIFY


def test_no_agreement_while_diet_reads_no_topic_question() -> None:
    # DIET gives "not in the sources" and "off-topic" half of its ranking: a look-alike, whatever the others say
    diet = [("faq_recovery_time", 0.4), ("ask_not_in_sources", 0.35), ("out_of_scope", 0.15)]
    assert understanding.agreed(CLARIFY, diet, (RECOVERY_FIRST,) * 2, RECOVERY_FIRST, text="how long till im ok") == CLARIFY
    diet = [("faq_recovery_time", 0.5), ("ask_not_in_sources", 0.35), ("out_of_scope", 0.14)]
    assert understanding.agreed(CLARIFY, diet, (RECOVERY_FIRST,) * 2, RECOVERY_FIRST, text="how long till im ok") == Decision(
        "intent", intent="faq_recovery_time")
    # DIET ranking "not in the sources" first, under that share: three others agreeing still answer
    assert understanding.agreed(CLARIFY, NO_TOPIC_FIRST, (RECOVERY_FIRST,) * 2, RECOVERY_FIRST,
                                text="how long till im ok") == Decision("intent", intent="faq_recovery_time")


def test_no_agreement_when_the_nearest_example_is_no_topics() -> None:
    # "could be": DIET, the linear classifier and the larger encoder lean to candidates, the nearest example is a no
    leaning = [("faq_candidates", 0.4), ("faq_risks", 0.3)]
    assert understanding.agreed(CLARIFY_CANDIDATES, leaning, (leaning, leaning), [("deny", 0.5)], text="could be") == \
        CLARIFY_CANDIDATES
    assert understanding.agreed(CLARIFY_CANDIDATES, leaning, (leaning, leaning), [("faq_risks", 0.5)], text="could be") == \
        Decision("intent", intent="faq_candidates")


CLARIFY_CANDIDATES = Decision("clarify", topics=("candidates", "risks"))
