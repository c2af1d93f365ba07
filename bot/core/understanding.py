"""What a patient's message asks: one topic, two or three topics to choose from, several
questions at once, or nothing the assistant knows. Pure logic, no Rasa.

Two opinions are combined:

* the intent classifiers' ranking: DIET's, blended with a linear model's over the
  same sentence embedding and the words' letters (``blend``; both sum to one);
* a nearest-neighbour search over the training examples' sentence embeddings
  (cosine similarity of the closest example of each intent).

``decide`` turns them into a ``Decision``:

* ``intent``: answer the top intent (a topic, a fallback intent or small talk);
* ``clarify``: unsure between one to three topics: ask "Did you mean ...?";
* ``topics``: a message with two or three questions, each clause a confident,
  different topic: answer each, in the order asked;
* ``not_understood``: nothing is close.

Red flags never reach this: the safety net runs after it and overrides the intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from bot.core import answers, names

TOPIC_PREFIX = names.FAQ_PREFIX
# The classifier's "the sources do not answer it" and "off-topic" intents
NO_TOPIC_INTENTS = (names.ASK_NOT_IN_SOURCES, names.OUT_OF_SCOPE)
# intents whose answer does no harm when it was not meant: a patient who may want a person
# gets the clinic's contact rather than "I didn't understand"
HARMLESS_WHEN_UNSURE = (names.REQUEST_HUMAN,)
MAX_CLARIFY = 3

Ranking = Sequence[Tuple[str, float]]


@dataclass(frozen=True)
class Thresholds:
    """The decision's knobs (chosen on the validation set: README, "Understanding")."""

    # answer the classifier's top topic at or above this confidence (0.55 until step 12) ...
    answer: float = 0.60
    # ... and any other intent (privacy, deleting, small talk, "not in the sources") at this one
    answer_other: float = 0.55
    # ... when the runner-up is at least this far below it
    margin: float = 0.05
    # a topic is offered in a clarifying question from this confidence ...
    offer: float = 0.08
    # ... or when its nearest training example is at least this similar
    offer_similarity: float = 0.75
    # the nearest-neighbour second opinion: a topic whose nearest example is this
    # similar overrides a different classifier answer by asking which one was meant
    overrule_similarity: float = 0.96
    # unsure classifier, but its top intent is also the nearest example's, this similar,
    # from this confidence: answer it (both opinions agree)
    agree_similarity: float = 0.85
    agree_confidence: float = 0.25
    # the classifier says "not in the sources" or "off-topic" but a topic's example is this
    # similar: that topic (a stray word such as "wait," must not hide a plain question)
    rescue_similarity: float = 0.93
    # each clause of a several-question message: its nearest example this similar
    clause_similarity: float = 0.78
    # a confident topic answer while "not in the sources" and "off-topic" together still
    # hold this share of the ranking: ask "did you mean ...?" (which offers "something
    # else") instead of answering; above 1 it is off
    doubt: float = 1.01
    # a clarifying question for a message of several sentences ("Morning! It's raining
    # here. How long is the recovery?"): its last question read alone picks one of the
    # topics offered at this confidence of the linear classifier (and the margin); above 1 off
    focus: float = 0.75
    # the second reading (a larger encoder's linear ranking, for a message the first reading
    # was unsure of) may answer a topic only while its own "not in the sources" and
    # "off-topic" together stay below this share; 0 turns the second reading off
    reread: float = 0.05
    # a clarifying question unsure only between topics ("not in the sources" and "off-topic"
    # together under ``between_doubt``), whose leader has this confidence and leads the next
    # by ``between_margin``: the leader is the answer (the look-alikes the sources do not
    # answer pull towards "not in the sources", not between two topics); above 1 off
    between_topics: float = 0.35
    between_doubt: float = 0.15
    between_margin: float = 0.1
    # a "not in the sources" answer while a topic still holds this share of the ranking: "Did you
    # mean ...?" with that topic (up to three) and "something else", whose reply is the same "I
    # don't have that information"; above 1 off
    no_topic_doubt: float = 0.15
    # a clarifying question whose first topic at least this many of the separate opinions rank
    # first (DIET, the linear classifier, the larger encoder's where it read the message, the
    # nearest training example): that topic's answer (step 14); above 4 off
    agree_opinions: float = 3
    # ... unless DIET gives "not in the sources" and "off-topic" together this share or more (it does not read a
    # topic's question at all: a look-alike the sources do not answer, such as a topic's result for smokers)
    agree_doubt: float = 0.5
    # use the nearest-neighbour opinion at all (off: the classifier alone, as before)
    use_neighbours: bool = True
    # ask "did you mean" at all (off: below the threshold is "not understood")
    clarify: bool = True


@dataclass(frozen=True)
class Decision:
    kind: str  # "intent" | "clarify" | "topics" | "not_understood"
    intent: Optional[str] = None
    topics: Tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> Dict[str, object]:
        return {"kind": self.kind, "intent": self.intent, "topics": list(self.topics)}


def is_topic(intent: Optional[str]) -> bool:
    return names.is_faq_intent(intent)


def topic_id(intent: str) -> str:
    return names.faq_topic(intent)


# A second question starts after "?", or, in a part that starts as a question, after
# "and"/"also"/"plus" (or ", and"/", also") followed by a question word.
_QUESTION_WORDS = (
    "how|what|whats|what's|when|where|who|why|which|will|would|can|could|do|does|did|is|are|"
    "am|should|shall|may|must|any|is there|are there"
)
_STARTS_AS_QUESTION = re.compile(rf"^\s*(?:{_QUESTION_WORDS})\b", re.IGNORECASE)
_JOINER = re.compile(
    rf",?\s+(?:and|also|plus|&)\s+(?:also\s+)?(?=(?:{_QUESTION_WORDS})\b)",
    re.IGNORECASE,
)
_QUESTION_MARK = re.compile(r"\?+")
_LEADING_JOINER = re.compile(r"^(?:(?:and|also|plus|&|oh|ok|so)\b[\s,]*)+", re.IGNORECASE)


def split_questions(text: str) -> List[str]:
    """The separate questions of a message, in order; one element when it asks one thing.

    "how long does it take and will I be asleep?" -> ["how long does it take", "will I be asleep"]
    """
    pieces: List[str] = []
    for part in _QUESTION_MARK.split(text or ""):
        pieces.extend(_JOINER.split(part) if _STARTS_AS_QUESTION.match(part) else [part])
    clauses = [_LEADING_JOINER.sub("", p.strip(" ,.;:!-")) for p in pieces]
    clauses = [c for c in clauses if len(c.split()) >= 2]
    return clauses if len(clauses) >= 2 else [(text or "").strip()]


# A sentence ends at ".", "!" or "?" (one or more) followed by white space.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def focus_question(text: str) -> Optional[str]:
    """The one question a message of several sentences asks: its only sentence ending with "?",
    else its last sentence. None for a message of one sentence, and for one that asks several
    questions: a later question often leans on an earlier one ("What's the questionnaire
    about? How long does it take?"), so it is not read alone.

    "Morning! It's raining here. How long is the recovery?" -> "How long is the recovery?"
    """
    sentences = [s.strip() for s in _SENTENCE_END.split((text or "").strip()) if s.strip()]
    if len(sentences) < 2:
        return None
    questions = [s for s in sentences if s.endswith("?")]
    if len(questions) > 1:
        return None
    return questions[0] if questions else sentences[-1]


def refocus(decision: Decision, focus: Ranking, thresholds: Thresholds = Thresholds()) -> Decision:
    """A clarifying question becomes the answer when the message's own question, read alone
    (``focus``: a classifier's ranking of ``focus_question``), is clearly one of the topics it
    offers: small talk or a story before the question must not hide it. Anything else: unchanged.
    """
    if decision.kind != "clarify" or not focus:
        return decision
    top, confidence, runner_up = _top(focus)
    if (
        is_topic(top)
        and topic_id(str(top)) in decision.topics
        and confidence >= thresholds.focus
        and confidence - runner_up >= thresholds.margin
    ):
        return Decision("intent", intent=top)
    return decision


def wants_second_reading(decision: Decision, thresholds: Thresholds = Thresholds(), text: str = "") -> bool:
    """Only a message the first reading was unsure of ("Did you mean ...?" or not understood)
    is read again: the larger encoder costs several times the first reading's time.

    Not a message that asks for the symptom check or tells a story of its symptoms: its
    unsure reading gets the offer of the check (bot/rasa_ext/reply_policy.py), which a topic
    answer would drop.
    """
    return (thresholds.reread > 0.0 and decision.kind in ("clarify", "not_understood")
            and not answers.wants_the_check(text, names.NLU_FALLBACK))


def second_reading(
    decision: Decision,
    second: Ranking,
    neighbours: Ranking = (),
    clauses: Sequence[Ranking] = (),
    focus: Ranking = (),
    thresholds: Thresholds = Thresholds(),
    text: str = "",
) -> Decision:
    """The first reading's unsure decision (of the message ``text``), decided again with ``second`` (the linear classifier
    over a larger encoder's embedding) as the ranking: its topic answer replaces the clarifying
    question or "not understood" while that ranking gives "not in the sources" and "off-topic"
    together less than ``thresholds.reread``. Anything else keeps the first decision.
    """
    if not wants_second_reading(decision, thresholds, text) or not second:
        return decision
    if _no_topic_share(second) >= thresholds.reread:
        return decision
    again = refocus(decide(second, neighbours, clauses, thresholds), focus, thresholds)
    return again if again.kind == "intent" and is_topic(again.intent) else decision


def settle(
    decision: Decision,
    ranking: Ranking,
    thresholds: Thresholds = Thresholds(),
    text: str = "",
    neighbours: Ranking = (),
    second: Ranking = (),
) -> Decision:
    """A clarifying question that is unsure only between topics becomes the answer when one
    topic clearly leads (``thresholds.between_*``): "not in the sources" and "off-topic" hold
    little of the ranking, so the question is a topic's, and the leader is the likeliest.

    Not when a stronger opinion disagrees: a training example of another topic at least
    ``overrule_similarity`` close (``neighbours``), or the second reading (``second``, the larger
    encoder's ranking where it was read) giving "not in the sources" and "off-topic" that share.
    Not a question the first reading answered with confidence, and not a message that asks for
    the symptom check or tells a story of its symptoms: its clarifying question comes with the
    offer of the check.
    """
    if decision.kind != "clarify" or answers.wants_the_check(text, names.NLU_FALLBACK):
        return decision
    top, confidence, runner_up = _top(ranking)
    t = thresholds
    if (
        is_topic(top)
        and topic_id(str(top)) in decision.topics
        and t.between_topics <= confidence < t.answer
        and confidence - runner_up >= t.between_margin
        and _no_topic_share(ranking) < t.between_doubt
        and not _overruled(top, neighbours, t)
        and not (second and _no_topic_share(second) >= t.between_doubt)
    ):
        return Decision("intent", intent=top)
    return decision


def agreed(decision: Decision, diet: Ranking, others: Sequence[Ranking], neighbours: Ranking = (),
           thresholds: Thresholds = Thresholds(), text: str = "") -> Decision:
    """A clarifying question whose first topic (the likeliest) at least ``thresholds.agree_opinions`` of the separate
    opinions rank first becomes that topic's answer: DIET's ranking (``diet``), ``others`` (the linear classifier's,
    and the larger encoder's where the message was read again) and the nearest training examples (``neighbours``),
    each with its own errors. Not while DIET gives "not in the sources" and "off-topic" together
    ``thresholds.agree_doubt`` or more; not when the nearest example is no topic's ("could be" is nearest to a no:
    an answer to something, not a question); and not for a message that asks for the symptom check or tells a story
    of its symptoms: its clarifying question comes with the offer of the check.
    """
    if decision.kind != "clarify" or not decision.topics or answers.wants_the_check(text, names.NLU_FALLBACK) \
            or neighbours and not is_topic(neighbours[0][0]):
        return decision
    intent = names.faq_intent(decision.topics[0])
    votes = sum(1 for ranking in (diet, *others, neighbours) if ranking and ranking[0][0] == intent)
    if votes >= thresholds.agree_opinions and _no_topic_share(diet) < thresholds.agree_doubt:
        return Decision("intent", intent=intent)
    return decision


def reconsider_no_topic(decision: Decision, ranking: Ranking, thresholds: Thresholds = Thresholds()) -> Decision:
    """"Not in the sources" while a topic still holds ``thresholds.no_topic_doubt`` of the ranking:
    "Did you mean ...?" with those topics, most likely first. Telling a patient the assistant
    does not know what it does know is the costlier mistake; the clarifying question's "something
    else" still gives the not-in-sources reply, and no topic is answered unasked.
    """
    if decision.kind != "intent" or decision.intent != names.ASK_NOT_IN_SOURCES or not thresholds.clarify:
        return decision
    near = [topic_id(n) for n, c in ranking if is_topic(n) and c >= thresholds.no_topic_doubt]
    return Decision("clarify", topics=tuple(near[:MAX_CLARIFY])) if near else decision


def blend(first: Ranking, second: Ranking, weight: float, keep: int = 10) -> List[Tuple[str, float]]:
    """The weighted mean of two classifiers' rankings, best first (``weight`` is the second's).

    An intent missing from one ranking (it keeps only its top few) counts as 0 there.
    Ties keep the first ranking's order.
    """
    if not second or weight <= 0.0:
        return [(n, float(c)) for n, c in first][:keep]
    if not first or weight >= 1.0:
        return [(n, float(c)) for n, c in second][:keep]
    scores: Dict[str, float] = {}
    for name, confidence in first:
        scores[name] = scores.get(name, 0.0) + (1.0 - weight) * float(confidence)
    for name, confidence in second:
        scores[name] = scores.get(name, 0.0) + weight * float(confidence)
    order = {name: i for i, name in enumerate(dict.fromkeys([n for n, _ in first] + [n for n, _ in second]))}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))[:keep]


def _top(ranking: Ranking) -> Tuple[Optional[str], float, float]:
    first = ranking[0] if ranking else (None, 0.0)
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return first[0], first[1], second


def _several_topics(
    ranking: Ranking, clauses: Sequence[Ranking], t: Thresholds
) -> Optional[Tuple[str, ...]]:
    """The topics of a message with several questions, when every clause is clear."""
    if len(clauses) < 2 or not t.use_neighbours:
        return None
    plausible = {name for name, _ in ranking[:6]}
    topics: List[str] = []
    for neighbours in clauses:
        best = neighbours[0] if neighbours else (None, 0.0)
        if not is_topic(best[0]) or best[1] < t.clause_similarity or best[0] not in plausible:
            return None
        if best[0] not in topics:
            topics.append(best[0])
    return tuple(topic_id(i) for i in topics) if len(topics) >= 2 else None


def _overruled(top: Optional[str], neighbours: Ranking, t: Thresholds) -> Optional[str]:
    """The topic of a training example at least ``overrule_similarity`` close to the message, when it
    is not ``top``: the nearest-neighbour opinion disagrees with the classifier's (None otherwise)."""
    near, similarity = neighbours[0] if t.use_neighbours and neighbours else (None, 0.0)
    return near if is_topic(near) and near != top and similarity >= t.overrule_similarity else None


def _no_topic_share(ranking: Ranking) -> float:
    return sum(confidence for name, confidence in ranking if name in NO_TOPIC_INTENTS)


def _offers(ranking: Ranking, neighbours: Ranking, t: Thresholds) -> List[str]:
    """Topics worth offering in a clarifying question, most likely first."""
    scored: Dict[str, float] = {}
    for name, confidence in ranking:
        if is_topic(name) and confidence >= t.offer:
            scored[name] = max(scored.get(name, 0.0), confidence)
    if t.use_neighbours:
        for name, similarity in neighbours[:3]:
            if is_topic(name) and similarity >= t.offer_similarity:
                # rank a close neighbour like a classifier guess of the same strength
                scored[name] = max(scored.get(name, 0.0), similarity - t.offer_similarity + t.offer)
    order = sorted(scored, key=lambda n: -scored[n])
    return [topic_id(n) for n in order[:MAX_CLARIFY]]


def decide(
    ranking: Ranking,
    neighbours: Ranking = (),
    clauses: Sequence[Ranking] = (),
    thresholds: Thresholds = Thresholds(),
) -> Decision:
    """Combine the classifier ranking, the nearest neighbours and the clauses' neighbours.

    ``ranking``: (intent, confidence), best first. ``neighbours``: (intent, cosine
    similarity of its closest training example), best first. ``clauses``: for a message
    with several questions, the neighbours of each question, in order.
    """
    t = thresholds
    several = _several_topics(ranking, clauses, t)
    if several:
        return Decision("topics", topics=several)
    top, confidence, runner_up = _top(ranking)
    if top is None:
        return Decision("not_understood")
    if t.use_neighbours and neighbours and top in NO_TOPIC_INTENTS:
        near, similarity = neighbours[0]
        if is_topic(near) and similarity >= t.rescue_similarity:
            return Decision("intent", intent=near)
    confident = confidence >= (t.answer if is_topic(top) else t.answer_other) and confidence - runner_up >= t.margin
    near = _overruled(top, neighbours, t)
    if confident and t.clarify and near:
        # the two opinions disagree about a topic: ask rather than guess
        offered = [topic_id(near)] + ([topic_id(top)] if is_topic(top) else [])
        return Decision("clarify", topics=tuple(offered))
    if confident and t.clarify and is_topic(top) and _no_topic_share(ranking) >= t.doubt:
        return Decision("clarify", topics=tuple(_offers(ranking, neighbours, t)))
    if confident:
        return Decision("intent", intent=top)
    if t.use_neighbours and neighbours and confidence >= t.agree_confidence:
        near, similarity = neighbours[0]
        if near == top and similarity >= t.agree_similarity:
            return Decision("intent", intent=top)
    if top in HARMLESS_WHEN_UNSURE and confidence >= t.agree_confidence and confidence - runner_up >= t.margin:
        return Decision("intent", intent=top)
    if not t.clarify:
        return Decision("not_understood")
    offered = _offers(ranking, neighbours, t)
    if offered:
        return Decision("clarify", topics=tuple(offered))
    if top in NO_TOPIC_INTENTS and confidence >= t.offer:
        # unsure, but only between things the assistant cannot answer
        return Decision("intent", intent=top)
    return Decision("not_understood")


def asked_about_deleting(decision: Decision, text: str) -> Decision:
    """"will you delete my number afterwards?" read as a request to delete asks about deleting: the privacy
    answer (what is kept, how to delete), never "delete this conversation?"."""
    if decision.kind == "intent" and decision.intent == names.FORGET_ME and answers.asks_about_deleting(text):
        return Decision("intent", intent=names.ASK_PRIVACY)
    return decision


def decision_from_parse(parse_data: Optional[Dict[str, object]]) -> Decision:
    """The decision TopicUnderstanding left in a message's parse data ("not understood" if none)."""
    found = (parse_data or {}).get("understanding")
    if not isinstance(found, dict) or found.get("kind") not in ("intent", "clarify", "topics"):
        return Decision("not_understood")
    intent = (parse_data or {}).get("intent")
    if "confidence" in found and (not isinstance(intent, dict) or intent.get("confidence") != found["confidence"]):
        return Decision("not_understood")  # a later step (the safety net) decided otherwise
    topics = tuple(str(t) for t in found.get("topics") or ())
    if found["kind"] in ("clarify", "topics") and not topics:
        return Decision("not_understood")
    return Decision(str(found["kind"]), intent=found.get("intent"), topics=topics)  # type: ignore[arg-type]


def clarify_buttons(
    topics: Sequence[str], titles: Dict[str, str], something_else: str, not_in_sources_intent: str = NO_TOPIC_INTENTS[0]
) -> List[Dict[str, str]]:
    """One quick reply per topic offered (its question; the reply asks it), then "something else"."""
    buttons = [{"title": titles[t], "payload": f"/{TOPIC_PREFIX}{t}"} for t in topics]
    buttons.append({"title": something_else, "payload": f"/{not_in_sources_intent}"})
    return buttons
