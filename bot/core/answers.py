"""Understanding a patient's free answers to the questionnaire.

Everything is built in code from ``spacy.blank("en")`` (no model download):
an EntityRuler tags symptom, body-part, activity, treatment and imaging words,
and NegEx (negspacy 1.0.4) marks the negated ones. On top of that:

* ``parse_yes_no``: yes / no / unsure in everyday words ("yep", "not really",
  "only after a long walk", "kinda", "no never", "not sure").
* ``parse_minutes``: "ten minutes", "half an hour", "20 min", "an hour or more",
  "not even 5 minutes" -> whole minutes; "I can't say" -> unknown.
* ``parse_care``: the conservative treatments tried -> ids of CARE_IDS.
* ``parse_imaging``: MRI/CT yes, "only X-rays" no, "don't remember" unsure.
* ``extract_items``: every SSHQ item one message describes, with negation
  ("numbness in both legs and the soles of my feet, no burning though").
* ``is_correction``: "actually, yes I do" replaces the previous answer.

The functions return None when the text does not answer the question, so the
form can re-ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any, Dict, List, Optional, Pattern, Sequence, Set, Tuple, Union

from bot.core import language, names
from bot.core.questionnaire import CARE_IDS, MINUTES_UNKNOWN, SSHQ_ITEMS, UNKNOWN, Answer

# ---------------------------------------------------------------- spaCy pipeline

_LEMMA_PATTERNS: Dict[str, List[str]] = {
    # symptoms
    "NUMB": ["numb", "numbness", "tingling", "tingle", "tingles", "tingly", "pins and needles", "dead feeling",
             "no feeling", "asleep"],
    "PAIN": ["pain", "pains", "painful", "ache", "aches", "aching", "hurt", "hurts", "hurting", "sore", "cramp",
             "cramps", "cramping", "sciatica"],
    "BURN": ["burn", "burns", "burning", "burny", "hot feeling", "on fire"],
    # where
    "LEGS_BOTH": ["both legs", "both of my legs", "two legs", "both sides", "each leg", "both my legs", "both his legs",
                  "both her legs", "both their legs", "both of his legs", "both of her legs", "both of their legs"],
    "SOLES": ["soles", "sole", "soles of my feet", "bottoms of my feet", "bottom of my feet", "both feet",
              "my feet", "feet", "foot soles"],
    "BUTTOCKS": ["buttock", "buttocks", "butt", "bum", "behind", "backside", "seat", "glutes", "rear", "hips", "tailbone"],
    "LEG_REGION": ["leg", "legs", "thigh", "thighs", "calf", "calves", "shin", "shins", "knee", "knees"],
    # when / what helps
    "WALK": ["walk", "walks", "walking", "walked", "stroll", "hike", "hiking"],
    "STAND": ["stand", "stands", "standing", "stood", "on my feet", "upright"],
    "REST": ["rest", "resting", "sit", "sitting", "sit down", "sitting down", "stop", "stopping", "lie down",
             "lying down", "break"],
    "BEND": ["bend forward", "bending forward", "bend over", "bending over", "lean forward", "leaning forward",
             "lean over", "leaning over", "stoop", "stooping", "hunch", "hunched", "hunching", "shopping cart",
             "shopping trolley", "lean on", "leaning on", "bent forward", "bend", "bending", "lean", "leaning",
             "walker"],
    "URINE": ["pee", "peeing", "urinate", "urinating", "urination", "bathroom", "toilet", "loo", "restroom",
              "wee", "urge", "bladder"],
    "WORSE": ["worse", "worsens", "worsening", "bad", "worst", "brings on", "starts", "comes on", "kicks in",
              "get", "gets"],
    "BETTER": ["better", "helps", "help", "relief", "relieves", "relieved", "eases", "easier", "goes away",
               "settles", "improves", "calms", "disappears", "stops"],
    # treatments
    "PT": ["physical therapy", "physical therapist", "physio", "physiotherapy", "physiotherapist", "pt",
           "exercises", "exercise program", "stretches", "stretching", "rehab", "chiropractor", "chiro"],
    "MEDS": ["pills", "pill", "medication", "medications", "medicine", "medicines", "meds", "painkillers",
             "pain killers", "pain relievers", "tablets", "gabapentin", "neurontin", "pregabalin", "lyrica",
             "tylenol", "acetaminophen", "paracetamol", "ibuprofen", "advil", "motrin", "aleve", "naproxen",
             "aspirin", "nsaids", "nsaid", "anti-inflammatories", "anti inflammatories", "celebrex", "meloxicam",
             "tramadol", "opioids", "oxycodone", "hydrocodone", "norco", "percocet", "vicodin", "morphine",
             "muscle relaxants", "muscle relaxers", "cyclobenzaprine", "duloxetine", "cymbalta", "diclofenac",
             "voltaren", "prednisone", "steroid pills", "over the counter"],
    "ESI": ["epidural", "epidurals", "epidural injection", "epidural injections", "injection", "injections",
            "shot", "shots", "steroid shot", "steroid shots", "steroid injection", "steroid injections",
            "cortisone", "cortisone shot", "esi", "esis", "nerve block", "nerve blocks"],
    "NOTHING": ["nothing", "none", "nothing yet", "nothing at all", "not anything", "no treatment",
                "no treatments", "haven't tried anything", "not yet", "nada", "zilch"],
    # imaging
    "MRI_CT": ["mri", "mris", "m.r.i.", "ct", "ct scan", "cat scan", "cat", "ct scans", "mri scan", "mri scans",
               "scan", "scans", "magnetic resonance", "computed tomography"],
    "XRAY": ["x-ray", "x-rays", "xray", "xrays", "x ray", "x rays", "radiograph"],
}

_NEGATION_EXTRA = [
    "no", "not", "never", "without", "don't", "dont", "do not", "doesn't", "does not", "didn't", "did not",
    "haven't", "have not", "hasn't", "has not", "isn't", "aren't", "nor", "neither", "not even", "no more",
    "none of", "free of", "not really", "rather than", "instead of", "no real", "not much",
]
# "I don't know why my legs go numb", "can't remember when I had the MRI": not knowing why or when
# something happens says that it does; NegEx would take the "don't" for a denial.
_NOT_KNOWING_WHY = [f"{lead} {word}" for lead in (
    "don't know", "do not know", "not sure", "no idea", "don't remember", "do not remember", "can't remember",
    "cannot remember", "can't recall", "don't recall", "can't say", "can't tell")
    for word in ("why", "when", "since when", "how long", "where", "which", "what")]


@lru_cache(maxsize=1)
def _nlp():  # type: ignore[no-untyped-def]
    """The pipeline, built once on first use (never at import)."""
    import spacy
    from negspacy.negation import Negex  # noqa: F401 (registers the "negex" factory)
    from negspacy.termsets import termset

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    patterns = []
    for label, phrases in _LEMMA_PATTERNS.items():
        for phrase in phrases:
            patterns.append({"label": label, "pattern": phrase})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    terms = termset("en")
    known = set(terms.get_patterns()["preceding_negations"])
    terms.add_patterns({"preceding_negations": [t for t in _NEGATION_EXTRA if t not in known]})
    terms.add_patterns({"termination": ["and", ",", "also", "plus", "while"]})
    terms.add_patterns({"pseudo_negations": _NOT_KNOWING_WHY})
    nlp.add_pipe("negex", config={"neg_termset": terms.get_patterns(), "ent_types": list(_LEMMA_PATTERNS)})
    return nlp


@dataclass(frozen=True)
class Mention:
    label: str
    text: str
    negated: bool


def mentions(text: str) -> List[Mention]:
    doc = _nlp()(_normalise(text))
    return [Mention(ent.label_, ent.text, bool(ent._.negex)) for ent in doc.ents]


# ---------------------------------------------------------------- normalising

def _normalise(text: str) -> str:
    """The text as the answer word lists expect it (``language.normalise``, ``ANSWERS`` style); "yeah nah" is a no
    and "nah yeah" a yes, as they are said."""
    normalised = language.normalise(text, language.Style.ANSWERS)
    return _YEAH_NAH.sub(lambda m: "no" if m.group(0).startswith("y") else "yes", normalised)


_YEAH_NAH = re.compile(r"\b(?:yeah,? nah|nah,? yeah)\b")


def _has(text: str, phrases: Union[Tuple[str, ...], List[str], Set[str]]) -> Optional[int]:
    """Position of the first phrase found as whole words, or None."""
    best: Optional[int] = None
    for phrase in phrases:
        match = re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text)
        if match and (best is None or match.start() < best):
            best = match.start()
    return best


# ---------------------------------------------------------------- numbered choices

def resolve_choice(text: str, payloads: Sequence[str]) -> str:
    """'2' (or '2.', '#2', 'option 2') stands for the 2nd quick reply where buttons show as numbers
    (the Rasa shell, text-only channels); any other text is returned as it is (``language.choose``)."""
    chosen = language.choose(text, list(payloads))
    return text if chosen is None else chosen


# ---------------------------------------------------------------- yes / no / unsure

_UNSURE = ("not sure", "unsure", "don't know", "do not know", "no idea", "maybe", "can't say", "cannot say",
           "not certain", "hard to say", "dunno", "idk", "perhaps", "possibly", "don't remember",
           "can't remember", "cannot remember", "do not remember", "don't recall", "not really sure",
           "uncertain", "no clue", "who knows", "not sure about", "might be", "could be",
           "don't really know", "do not really know", "not too sure", "not so sure", "can't tell", "cannot tell",
           "hard to tell", "difficult to say", "couldn't say", "couldn't tell you", "no idea really",
           "i'm not certain", "never noticed", "haven't noticed", "have not noticed", "never paid attention", "never timed it",
           "haven't timed it", "never measured", "not a clue", "i wouldn't know", "beats me", "unclear",
           "not that sure", "can't recall", "cannot recall", "don't really remember", "i forget", "forgot")
_QUALIFIED_YES = ("sometimes", "a little", "a bit", "a little bit", "kinda", "kind of", "sort of", "sorta",
                  "occasionally", "now and then", "now and again", "at times", "on and off", "only after",
                  "only when", "only if", "after a long", "a few times", "somewhat", "slightly", "mildly",
                  "from time to time", "every now and then", "once in a while", "here and there", "partly",
                  "some", "a tad", "rarely", "only on", "only during", "only in the", "on long walks",
                  "on bad days", "some days", "every so often", "off and on")
_NO = ("no", "nope", "nah", "never", "not really", "not at all", "no never", "none", "negative", "nay",
       "not that i know", "not that i've noticed", "i don't", "i do not", "don't", "doesn't", "does not",
       "it doesn't", "haven't", "have not", "hasn't", "isn't", "not", "n", "no way", "absolutely not",
       "definitely not", "not anymore", "not usually", "hardly ever", "not much", "nothing", "neither",
       "not me", "wrong", "incorrect", "no i don't", "no it doesn't", "noo", "nooo", "noooo", "nop", "nopes",
       "nopee", "naw", "nahh", "nah nah", "no no", "mo", "nno", "nit really", "not realy", "nevr")
_YES = ("yes", "yeah", "yea", "yep", "yup", "ya", "yah", "y", "sure", "definitely", "absolutely", "of course",
        "correct", "right", "i do", "it does", "i have", "i am", "i did", "often", "always", "mostly",
        "usually", "a lot", "very much", "totally", "true", "affirmative", "uh huh", "mhm", "indeed", "for sure",
        "pretty much", "certainly", "exactly", "that's right", "i think so", "it is", "they do", "lots",
        "all the time", "constantly", "frequently", "every time", "most of the time", "especially", "yess",
        "yesss", "ok yes", "i would say so", "unfortunately", "sadly", "really bad", "badly",
        # everyday acceptance
        "go ahead", "go on", "go for it", "let's do it", "let's do this", "let's go", "let's start", "let's begin",
        "let's get started", "lets do it", "lets go", "lets start", "i'm ready", "ready", "ready when you are",
        "count me in", "sounds good", "sounds great", "sounds fine", "that would help", "that'd help",
        "that would be great", "that'd be great", "that would be good", "that'd be good", "that would be nice",
        "that'd be nice", "would be great", "would be helpful", "would help", "please do", "do it",
        "i'd like that", "i would like that", "i'd like to", "i would like to", "i'd love to", "i would love to",
        "i want to", "i'd be happy to", "happy to", "glad to", "i suppose", "i suppose so", "i guess",
        "i guess so", "guess so", "suppose so", "probably", "i believe so", "i'd say so", "yes please",
        "sure thing", "okey dokey", "by all means", "you bet", "i do indeed", "it sure does", "that's me",
        "that's true", "true enough", "i'm in", "start", "begin", "proceed", "carry on", "keep going",
        "continue", "absolutely yes", "why not", "yeh", "yeahh", "yeahhh", "yas", "yass", "ye", "yaa", "yh",
        "ys", "yse", "yrs", "yez", "yess please", "yesh", "yee", "yeas", "yep yep", "uh-huh", "aye", "affirm",
        "certainly do", "oh yes", "oh yeah", "hell yes", "i have indeed", "alrighty", "i agree", "agree", "agreed",
        "i consent", "that's fine", "that is fine", "it's fine", "fine by me", "that's ok", "that's okay")
# Said alone, these accept; next to a clear yes or no they only open the sentence ("ok, not really").
_WEAK_YES = ("ok", "okay", "okey", "k", "kk", "fine", "alright", "all right", "right then", "cool", "perfect",
             "gladly", "please")
# ... but not beside words that ask for something else: "one moment please", "please stop", "please delete my data"
_WEAK_BLOCKERS = re.compile(r"\b(?:moment|minute|sec|second|hold on|hang on|wait|repeat|delete|remove|erase|data|stop|"
                            r"quit|cancel|end|later|explain|tell|what|how|why|when|where|who)\b")
# Phrases whose words would mislead the word lists: read as a plain yes or no first.
_PHRASES = (
    # "no problem", "no worries" accept when said alone, but "no worries, none of those" is a no
    (r"\b(?:no problem|no worries|not a problem)\b", "ok"),
    (r"\b(?:why not|don'?t mind|do not mind|wouldn'?t mind|would not mind|"
     r"can'?t hurt|cannot hurt|couldn'?t hurt|no harm(?: in (?:it|that|trying))?|not opposed|no objection|"
     r"i don'?t see why not|no reason not to|don'?t see why not)\b", "yes"),
    (r"\bplease,? (?:don'?t|do not|no|not)\b", "no"),  # "please don't": "please" alone would accept
    (r"\b(?:rather not|i'?ll pass|not interested|not for me|no need|not necessary|don'?t want(?: to)?|"
     r"do not want(?: to)?|absolutely not|definitely not|certainly not|of course not|surely not|no thanks|"
     r"no thank you|thanks,? but no|not this time|i'?m (?:good|fine|ok|okay|"
     r"alright|all right)(?: thanks| thank you)?|nope|nah|no way|not at all|not really|never|"
     # "I do not", "it does not": the yes-words "i do" / "it does" would otherwise come first
     r"(?:i|it|they|we|you|he|she) (?:do|does|did|have|has|had|am|is|are|was|were) not)\b", "no"),
)
_EMOJI = {"\U0001f44d": " yes ", "\u2705": " yes ", "\u2714": " yes ", "\U0001f44c": " yes ",
          "\U0001f44e": " no ", "\u274c": " no ", "\u2716": " no "}


def _fold_phrases(text: str) -> str:
    for pattern, word in _PHRASES:
        text = re.sub(pattern, f" {word} ", text)
    return re.sub(r"\s+", " ", text).strip()


def _emoji_words(text: str) -> str:
    for emoji, word in _EMOJI.items():
        text = (text or "").replace(emoji, word)
    return text


_SELF_CORRECTION = re.compile(r"\b(?:actually|i mean|i meant|no wait|wait|make that|on second thought|"
                              r"scratch that|correction|sorry)\b[\s,.!:-]*")


# "nt sure", "not shure", "im not sre": not sure, typed in a hurry ("sure" alone is a yes)
_NOT_SURE_TYPED = re.compile(r"\b(?:not|nt|nit|mot|nto|n0t|no)\s*(?:sure|shure|sur|suer|sre|srue|suure|shur|sue|certain)\b|"
                             r"\bun(?:sh|s)ure?\b")


def parse_yes_no(text: str) -> Optional[Answer]:
    """Yes, no or unsure, or None when the text is not such an answer.

    A change of mind inside the message counts ("no... wait, actually yes": yes).
    """
    raw = _NOT_SURE_TYPED.sub("not sure", _normalise(_emoji_words(text)).strip(" .!?"))
    raw = re.sub(r"\bi (?:have|had|need) to\b", "i must", raw)  # "I have to stop after 10 minutes" holds no "I have"
    marks = list(_SELF_CORRECTION.finditer(raw))
    if marks and marks[-1].end() < len(raw):
        tail = _plain_yes_no(raw[marks[-1].end():])
        if tail is not None:
            return tail
    return _plain_yes_no(raw)


def _plain_yes_no(raw: str) -> Optional[Answer]:
    raw = raw.strip(" .!?,")
    if not raw:
        return None
    unsure_at = _has(raw, _UNSURE)
    if unsure_at is not None and (unsure_at == 0 or _has(raw, ("yes", "yeah", "yep", "no", "nope")) != 0):
        return Answer.UNSURE
    qualified = _has(raw, _QUALIFIED_YES)
    negated = qualified is not None and (
        re.match(r"(?:no|nope|nah|never|none)\b", raw)
        or re.search(r"\b(?:not even|never even|not|no)\s+(?:\w+\s+)?$", raw[:qualified]))
    if qualified is not None and not negated:
        return Answer.YES
    t = _fold_phrases(raw)
    no_at, yes_at = _has(t, _NO), _has(t, _YES)
    if no_at is None and yes_at is None:
        if _has(t, _WEAK_YES) is None or _WEAK_BLOCKERS.search(t):
            return None
        return Answer.YES
    if yes_at is None:
        return Answer.NO
    if no_at is None:
        return Answer.YES
    return Answer.NO if no_at < yes_at else Answer.YES


# ---------------------------------------------------------------- a reply to a yes/no question

class Reply(str, Enum):
    """What a message says to a yes/no question, whatever the classifier's intent."""

    YES = "yes"
    NO = "no"
    UNSURE = "unsure"
    PAUSE = "pause"  # stop, "not now", "I have to go", "can we finish later"
    INTERRUPTION = "interruption"  # an alert, a question, a request for a person: never a yes or a no


# Intents that are never an answer, whatever words the message holds.
ALERT_INTENTS = names.ALERT_INTENTS

_PAUSE = re.compile(
    r"\b(?:not now|not right now|not today|not at the moment|not at this time|maybe later|later maybe|"
    r"another time|some other time|(?:i|we) (?:have|need|got) to (?:go|run|leave|stop)|i'?ve got to (?:go|run)|"
    r"gotta (?:go|run|leave)|got to (?:go|run|leave)|must go|have to leave|need to leave|"
    r"(?:can|could|shall|may) (?:we|i) (?:finish|continue|do|carry on|pick (?:this|it) up|come back to)"
    r"(?: this| it| the rest)?(?: (?:later|another time|tomorrow|some other time))|"
    r"(?:finish|continue|do) (?:this |it |the rest )?(?:later|tomorrow|another time)|come back (?:to (?:it|this) )?"
    r"later|i'?m busy|busy right now|in a hurry|no time(?: now| right now)?|don'?t have (?:the )?time|"
    r"i'?ll come back|be right back|brb|pause(?: (?:this|it|the questionnaire))?|take a break|"
    r"stop(?:ping)? (?:here|now|for now|for today)|(?:i )?(?:want|would like|'?d like) to stop|"
    r"let'?s stop|can we stop|that'?s enough(?: for now)?|enough for (?:now|today)|call it a day|"
    r"(?:i|we)(?: want| would like|'d like| wanna| need) to (?:quit|end this|end it|stop now|stop here))\b"
)
_PAUSE_ALONE = re.compile(r"^\s*(?:please\s+)?(?:later|stop|cancel|quit|exit|end|enough|bye|goodbye|bye bye|see you|gtg|g2g)"
                          r"(?:\s+(?:please|now|it|this))?\W*$")
_QUESTION_START = re.compile(
    r"^\s*(?:what|whats|what's|how|why|who|which|is|are|can|could|will|would|should|does|do|did|"
    r"may|am|was|were|shall|tell me)(?![\w'])|"
    # "when will I ...", not "when I'm standing doing the dishes, yes"
    r"^\s*(?:when|where)(?:\s+\w+)?(?:\s+(?:is|are|can|could|will|would|should|do|does|did|am|was|were|shall|may|might|to)\b|"
    r"\W*$)|^\s*(?:when|where)\b.*\b(?:do (?:you|u) mean|does (?:that|it) (?:mean|count))\b"
)
_PERSON = re.compile(
    r"\b(?:(?:talk|speak|chat)(?: to| with)|call me|ring me|phone me|connect me|put me through|get me)\b.*\b"
    r"(?:person|human|someone|somebody|nurse|doctor|staff|agent|operator|representative|receptionist|people)\b|"
    r"\b(?:real|actual|live) (?:person|human)\b|"
    r"\b(?:someone|somebody|a person|a nurse|a doctor|the doctor|staff)\b.*\b(?:call|ring|phone|contact|email) me\b"
)


def is_pause(text: str) -> bool:
    """'not now', 'I have to go', 'can we finish later', 'stop': the patient wants to leave off ("I have to stop
    after 10 minutes" tells a symptom)."""
    t = _normalise(text)
    if _PAUSE_ALONE.search(t) or is_stop(text):
        return True
    return any(not (_HAVE_TO_STOP.fullmatch(found.group(0)) and stops_to_rest(text)) for found in _PAUSE.finditer(t))


_HAVE_TO_STOP = re.compile(r"(?:i|we) (?:have|need|got) to stop|(?:i )?(?:want|would like|'?d like) to stop|i'?ve got to stop")
# stopping because of the legs: "I have to stop and rest after a block", "after 10 minutes I have to stop walking"
_HAS_TO_STOP = r"(?:have|has|had|need|needs|got) to (?:stop|sit(?: down)?|rest)\b"
_STOPS_TO_REST = re.compile(rf"\b{_HAS_TO_STOP}[^.?!]{{0,40}}\b(?:after|every|and (?:rest|sit|lean)|to (?:rest|sit|lean)|walk\w*|"
                            rf"stand\w*)\b|\b(?:after|every)\b[^.?!]{{0,30}}\b{_HAS_TO_STOP}|\b(?:walk\w*|stand\w*)\b[^.?!]{{0,30}}"
                            rf"\b{_HAS_TO_STOP}")
_STOP_NOW = re.compile(r"\b(?:now|for now|for today|bye|goodbye|talking|typing|chatting|the questions?|questionnaire|"
                       r"continue this|after (?:this|that|the next)(?: one| question)?)\b")


def without_stopping(text: str) -> str:
    """The message without the words that tell of stopping to rest ("yes, my legs are getting weaker and I have to stop
    walking after a bit" -> "yes, my legs are getting weaker and")."""
    t = _normalise(text)
    return _STOPS_TO_REST.sub(" ", t) if stops_to_rest(text) else t


def stops_to_rest(text: str) -> bool:
    """"I have to stop after 10 minutes", "he has to stop and rest": stopping told as a symptom, not a pause."""
    t = _normalise(text)
    return bool(_STOPS_TO_REST.search(t)) and not _STOP_NOW.search(t)


_POLITE = re.compile(r"\b(?:sorry|thanks|thank you|please|ok|okay|actually|um|hmm)\b")


def is_only_a_pause(text: str) -> bool:
    """"not now, sorry", "I have to go": a pause and nothing else ("maybe later this week", "not today,
    tomorrow morning" and "I'm busy till 5, call after" are answers)."""
    t = " ".join((text or "").lower().replace("\u2019", "'").split())
    rest = " ".join(re.findall(r"[\w']+", _POLITE.sub(" ", t)))
    return bool(rest) and is_pause(rest) and (_PAUSE.fullmatch(rest) is not None or _PAUSE_ALONE.match(rest) is not None)


# a moment's wait or a return from it ("hold on a sec", "one moment", "brb", "sorry, ok I'm back")
_BACK_WORDS = r"i'?m back|i am back|back now"
WAIT = re.compile(r"\b(?:hold on|hang on|hold up|wait(?: up| a (?:sec|second|moment|minute|min|bit))?|"
                  r"(?:one|1) (?:sec|second|moment|mo)|just a (?:sec|second|moment|minute|min)|"
                  r"give me a (?:sec|second|moment|minute|min|bit)|gimme a (?:sec|second|moment|minute|min|bit)|"
                  r"a moment|bear with me|brb|be right back|(?:the )?door ?bell(?: (?:rang|went|is ringing|just rang))?|"
                  r"someone(?:'s| is) at the door|(?:my )?phone(?:'s| is)? ringing|"
                  r"(?:i )?(?:need|have|got) to (?:get|answer) the "
                  rf"(?:door|phone)|{_BACK_WORDS})\b")
# words that may stand beside a wait without saying anything more
_LEFT_AFTER_WAITING = re.compile(r"\b(?:sorry|please|um+|hmm+|just|a|sec|second|bit|let me|thanks|"
                                 r"my phone(?: is)? ring\w*|someone'?s at the door|the door)\b")


def only_ready(text: str) -> bool:
    """"sure, go on", "ok, ready": the patient is ready for the questions; no yes to the one asked ("yes, go on" is)."""
    t = _normalise(text)
    return _is_only_readiness(t) and not _STRONG_YES.search(t)


_ONLY_COURTESY = re.compile(r"^\W*(?:(?:oh|and|well)\W+)?(?:(?P<thanks>thanks?(?: you)?(?: so much| very much| a lot)?|"
                            r"thx|ty|cheers|ta|much appreciated)|(?P<hello>hi|hello|hey|hiya|good (?:morning|afternoon|evening)|"
                            r"morning|afternoon|evening)(?: there| again| to you)?)\W*$")


def only_courtesy(text: str) -> Optional[str]:
    """"thanks" or "good morning" said at a question, and nothing else: "thanks" or "hello", else None."""
    found = _ONLY_COURTESY.match(_normalise(text))
    if not found:
        return None
    return "thanks" if found.group("thanks") else "hello"


def only_a_wait(t: str, *, ok_answers: bool = False) -> bool:
    """Nothing but the wait and the words that go with it ("sorry, hold on a sec"), ``t`` lower case; where
    ``ok_answers`` (the consent question) an "ok" beside it is the answer."""
    rest = _LEFT_AFTER_WAITING.sub(" ", WAIT.sub(" ", t))
    if not ok_answers:
        rest = re.sub(r"\b(?:ok|okay|right)\b", " ", rest)
    return not rest.strip(" .,!?;:-")


def is_a_short_wait(text: str) -> bool:
    """"hold on a sec", "one moment please", "brb": the patient will be back in a moment (no answer, no pause
    of the questionnaire); "hang on, yes" answers, and "I'm back" is the return."""
    t = _normalise(text)
    return bool(WAIT.search(t)) and not re.search(rf"\b(?:{_BACK_WORDS})\b", t) and only_a_wait(t)


_NEGATIVE_QUESTION = re.compile(r"^\s*(?:is|are|do|does|did|can|could|will|would|should|was|were|have|has|wo|ca)"
                                r"(?:n'?t| not)\b")


def _asks_past_a_pause(text: str) -> bool:
    """A question whose pause words are part of what it asks ("I have no time off work, how long is
    the recovery?", "I want to stop my painkillers, is that ok?"), not a pause: it is neither a pause
    alone, nor opened by a whole pausing clause ("not now, is it safe?"), nor a pause asked as a
    question ("can we finish this later?", "could we do it another time?", "can we stop here?")."""
    t = _normalise(text).strip(" .!?")
    if not is_question(text) or is_stop(text) or _PAUSE.fullmatch(t) or _PAUSE_ALONE.fullmatch(t):
        return False
    if opening_reply(text) is Reply.PAUSE or re.match(r"(?:can|could|shall|may|should) (?:we|i)\b|let'?s\b", t):
        return False
    # only words that also tell a story ("no time off work", "I'm busy with work", "I want to stop my
    # painkillers"); "stop for now", "come back later", "have to leave" are a pause whatever follows
    return all(_STORY_PAUSE.fullmatch(found.group(0)) for found in _PAUSE.finditer(t))


_STORY_PAUSE = re.compile(r"no time(?: now| right now)?|i'?m busy|busy right now|don'?t have (?:the )?time|in a hurry|"
                          r"(?:i )?(?:want|would like|'?d like) to stop|(?:i|we) (?:have|need|got) to stop|pause")


def is_question(text: str) -> bool:
    """A question asked back ('does that count?', 'how long does it take'), not a short 'yes?'."""
    t = re.sub(r"^why not\b", "yes", _normalise(text).strip())
    if not t:
        return False
    words = re.findall(r"[\w']+", t)
    if "?" in t and _NEGATIVE_QUESTION.match(t):
        return True  # "isn't it risky?", "doesn't it hurt?": not a no
    if wants_it_explained(text):
        return True  # "I don't understand", "please repeat that"
    if parse_yes_no(t) is not None and len(words) <= 3:
        return False  # "yes?", "not sure?", "could be"
    return "?" in t or bool(_QUESTION_START.search(t)) or bool(_ASKED_AFTER_OPENER.match(t))


# "ok so what is mild", "yes what are the risks", "fine, will I be asleep": a question after an opening word
# (not "yes, do it", "ok, is fine")
_ASKED_AFTER_OPENER = re.compile(
    r"^(?:(?:ok|okay|yes|yeah|yep|fine|alright|all right|so|and|well|hmm+|um+|uh|oh|right|but|also|then|sure|"
    r"cool|great|thanks|thank you|no|nope|wait)\b[\s,.!:;-]*)+"
    r"(?:(?:what|whats|what's)\b(?! a\b)|how\b|why\b|who\b|which\b|tell me\b|explain\b|"
    r"(?:when|where)\s+(?:is|are|can|could|will|would|should|do|does|did|am|was|were)\b|"
    r"(?:is|are|can|could|will|would|should|does|did|am|was|were|shall|may)\s+"
    r"(?:i|you|it|mild|the|this|that|there|my|he|she|we|they|a|an|someone|anyone|people|patients)\b|"
    r"do\s+(?:i|you|we|they|people|patients|most)\b)")
# Asking what the question means, or to hear it again: not an answer.
_EXPLAIN = re.compile(
    r"\b(?:(?:i )?(?:don'?t|do not|didn'?t|did not) (?:understand(?: (?:it|that|this|the question|you|what you mean))?|"
    r"(?:get|follow) (?:it|that|this|the question|you|what you mean))|"
    r"not sure what you mean|no idea what you mean|(?:what|wdym)(?: do| did)? you mean|what does (?:that|it|this) mean|"
    r"(?:no idea|no clue|not sure|unsure|not certain) what (?:that|this|it|you|the question) (?:means?|is|is asking|are asking)|"
    r"(?:don'?t|do not) know what you(?:'re| are)? (?:asking|mean|saying|want)|"
    r"(?:repeat|rephrase|clarify|explain)(?: (?:that|it|this|the question|please))?|"
    r"say (?:that|it|the question) (?:again|once more|one more time)|ask (?:that|it|the question) again|"
    r"come again|(?:want|wanna|would like|'?d like|need) to (?:know|ask|find out|understand|hear|learn) "
    r"(?:more|about|what|how|why|when|where|who|which|first)|"
    r"tell me (?:more|about|what|how|why)|"
    r"what (?:are|is) (?:a |an |the )?(?:shins?|calves|soles|buttocks|claudication|stenosis))\b")


_EXPLICIT_ANSWER = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|no|nope|nah)\b")


def wants_it_explained(text: str) -> bool:
    """'I don't understand the question', 'please repeat that', 'I want to know the risks first': the patient
    asks for something, so it is no answer; after an explicit yes or no ("yes, I want to find out if I have
    it") the yes or no answers."""
    t = _normalise(text)
    if _NOT_UNDERSTOOD.search(t):
        return True  # "nope, don't understand", "no idea what that means": no answer after all
    return bool(_EXPLAIN.search(t)) and not _EXPLICIT_ANSWER.match(t)


_NOT_UNDERSTOOD = re.compile(r"^\W*(?:(?:no|nope|nah|sorry|hmm+|um+|uh|what)\W+)*(?:i )?(?:(?:don'?t|do not|didn'?t|did not) "
                             r"(?:understand|get it|follow)(?: (?:it|that|this|the question|you|what you mean))?|"
                             r"(?:no idea|no clue|not sure|unsure) what (?:that|this|it|you|the question) (?:means?|mean|is)|"
                             r"what (?:do|did) you mean(?: by that)?)\W*$")


# "continue", "keep going", "go ahead": they accept an offer, but answer no symptom question; at
# "do you want to stop?" the plain ones mean carry on ("go ahead" there may mean "stop")
_CARRY_ON = (r"continue|carry on|keep going|next(?: question| one)?|move on|keep at it|resume|don'?t stop|do not stop|"
             r"i'?m back|i am back|back now|back again|where were we|(?:i'?m |i am )?ready(?: now| again)?|"
             r"let'?s (?:continue|carry on|keep going|go on|finish(?: it)?)|finish (?:it|the questions?)")
_BACK = (r"(?:(?:i'?m|i am) )?(?:back|here)(?: now| again)?(?:,? sorry(?: about that)?)?")  # back from a pause
_GO_ON_OPENING = rf"^(?:(?:ok|okay|please|fine|alright|wait|let'?s|lets|just|now|right|sorry|{_BACK})\b[\s,.!]*)*"
_STOP_OPENING = (rf"^(?:(?:ok|okay|yes|yeah|please|sure|fine|alright|no|nope|wait|no wait|let'?s|lets|just|now|right|"
                 rf"sorry|{_BACK})\b[\s,.!]*)*")
_GO_ON_CLOSING = r"(?:[\s,.!]+(?:please|then|thanks|sorry(?: about that)?|with (?:it|the questions?)|the questions?))*\W*$"
_GO_ON = re.compile(rf"{_GO_ON_OPENING}(?:{_CARRY_ON}|go on|go ahead|proceed|{_BACK}){_GO_ON_CLOSING}")
_PLAIN_CARRY_ON = re.compile(rf"{_STOP_OPENING}(?:{_CARRY_ON}|go on|{_BACK}){_GO_ON_CLOSING}")


_STRONG_YES = re.compile(r"\b(?:yes|yeah|yep|yup|ya|i do|i have(?! to\b)|i am|it does|they do|he does|she does|he has|she has|"
                         r"correct|that'?s right|afraid so|unfortunately|sadly)\b")


def opens_with_a_no(text: str) -> bool:
    """"no, I just have to stop and rest": an explicit no first."""
    return bool(_OPENING_DENIAL.match(_normalise(text)))


def says_yes(text: str) -> bool:
    """A yes in so many words ("yes", "yeah", "I do", "she has"), not only a qualified one ("a little")."""
    return bool(_STRONG_YES.search(_normalise(text)))


_OPENING_DENIAL = re.compile(r"^\W*(?:no|nope|nah|none|none of (?:those|these|them|that)|not really|not at all|never)\b"
                             r"(?! (?:doubt|question|wonder))")


_WHEN_OPENING = re.compile(r"^\W*(?:when|whenever|where|if)\b")


def only_a_when(text: str) -> bool:
    """"when I'm in the shower", "when it's cold, sometimes": says when, with no plain yes or no of its own."""
    t = _normalise(text)
    return bool(_WHEN_OPENING.match(t)) and not re.search(r"\b(?:yes|yeah|yep|yup|no|nope|nah|not|never)\b", t) \
        and not is_question(text)


def yes_to_the_red_flags(text: str) -> bool:
    """A yes to "do you have any of these now?": any yes counts, a question added or not ("yes, does that
    count?"), but not carrying on ("please continue", "let's keep going"), a pause, a request to explain,
    or a question opened by a mere "sure"/"ok" ("sure, what does bowel control mean")."""
    if parse_yes_no(text) is not Answer.YES or says_go_on(text) or is_pause(text) or wants_it_explained(text):
        return False
    t = _normalise(text)
    if _OPENING_DENIAL.match(t):
        return False  # "none of those, I've leaked when I cough for years": the no answers (the safety net hears reports)
    if re.search(r"\b(?:go on|go ahead|continue|carry on|keep going|move on|proceed|next)\b", t) and not _STRONG_YES.search(t):
        return False
    if _is_only_readiness(t):
        return False  # "yes I'm ready", "yes, continue", "sure, fire away": ready for the questions, no answer to this one
    if _ACKNOWLEDGED.fullmatch(t.strip(" .!")):
        return False  # "ok", "sure", "fine": heard "one safety question", not a report of the signs (asked again)
    return not (is_question(text) and not _STRONG_YES.search(t))


# readiness for the questions, one vocabulary for "is it there" and "is it all there is"
_READINESS = (r"ready|go on|go ahead|continue|carry on|keep going|proceed|next|let'?s (?:go|start|begin|do it|do this)|"
              r"fire away|ask away|ask me|shoot|start|begin")
_READY = re.compile(rf"\b(?:{_READINESS})\b")
_ONLY_READINESS = re.compile(rf"\W*(?:(?:{_READINESS}|yes|yeah|yep|yup|ya|sure|ok|okay|fine|alright|all right|right|i'?m|i am|"
                             r"we'?re|let'?s|lets|go|do it|do this|please|then|thanks|thank you|now|so)\b\W*)+")
_ACKNOWLEDGED = re.compile(r"(?:ok|okay|k|kk|fine|sure|alright|all right|right|got it|understood|sure thing|ok sure|okay sure|"
                           r"sure ok|ok then|okay then|fine then)")


def _is_only_readiness(t: str) -> bool:
    """The whole (normalised) message is readiness for the questions, with at most a yes or an ok beside it."""
    return bool(_READY.search(t)) and _ONLY_READINESS.fullmatch(t) is not None


_WHAT_TO_DO = re.compile(
    r"^\W*(?:(?:ok|okay|so|but|and|um+|hmm+|sorry|wait|oh|right|then)\W+)*(?:what (?:should|do|can|must) (?:i|we|he|she) do"
    r"(?: now| next| then| about it)?|what now|what next|now what|what do i do now|who (?:do|should|can) (?:i|we) (?:call|ring|"
    r"phone|contact)|what(?:'?s| is) the number|what number|which number|where (?:do|should|can) (?:i|we|he|she) go|"
    r"should (?:i|we|he|she) (?:go|call|ring)\b.*|do (?:i|we|he|she) (?:need|have) to go\b.*|is (?:it|this|that) (?:really )?"
    r"(?:serious|an emergency|urgent|bad|dangerous)|(?:please )?help(?: me| us)?(?: please)?|how do (?:i|we) get help)\W*$")


def asks_what_to_do(text: str) -> bool:
    """"what should I do?", "who do I call?", "is it serious?" right after the emergency or crisis message: that
    message is the answer (said again)."""
    return bool(_WHAT_TO_DO.match(_normalise(text)))


def says_go_on(text: str) -> bool:
    """'please continue', 'go ahead', 'next question': the patient wants to move on, answering nothing."""
    return bool(_GO_ON.match(_normalise(text).strip()))


_RESUME = re.compile(rf"{_GO_ON_OPENING}(?:{_BACK}|(?:i'?m |i am )?ready(?: now| again)?|where were we)"
                     rf"(?:[\s,.!]+(?:let'?s )?(?:continue|carry on|keep going|go on|go ahead))?{_GO_ON_CLOSING}")


def is_back(text: str) -> bool:
    """"ok I'm back", "ready", "where were we?", "back now, let's carry on": back to the question asked after a
    wait, answering nothing ("please continue" alone is a reply that did not fit: the re-ask says what does)."""
    return bool(_RESUME.match(_normalise(text).strip()))


def stop_reply(text: str, intent: Optional[str] = None) -> Optional[Reply]:
    """At "do you want to stop the questionnaire?": carrying on ("let's continue", "keep going") is a no."""
    if intent not in ALERT_INTENTS and _PLAIN_CARRY_ON.match(_normalise(text).strip()):
        return Reply.NO
    return understand_reply(text, intent)


_CHANGE_OF_MIND = re.compile(r"\b(?:actually|changed? my mind|on second thought|after all|wait|i do want|i'?d like it|"
                             r"i want it|let'?s do it)\b")
_CONSULTATION_TERMS = (r"consultation|appointment|call (?:me|him|her|us)|contact (?:me|him|her|us)|ring (?:me|him|her)|"
                       r"get in touch")
CONSULTATION_WORDS = re.compile(rf"\b(?:{_CONSULTATION_TERMS})\b")
_WANTS_IT = re.compile(rf"\b(?:i'?d like|i would like|i want|i'?d love|please)(?: (?:a|an|the|to|them|someone|you|the clinic|"
                       rf"to have|to book|to get|to arrange|book|have|get|arrange))* (?:{_CONSULTATION_TERMS})\b")
# consent given after a no ("actually, yes I agree", "I changed my mind, I do consent"), or the consultation named
CONSENT_WORDS = re.compile(rf"\b(?:consent|i agree|agree to|share (?:my|the) answers|send (?:it|the request)|"
                           rf"{_CONSULTATION_TERMS})\b")


# intents whose own rules come first whatever the words: alerts, deleting, leaving, the check asked for
_OWN_RULES = names.ALERT_INTENTS | {names.FORGET_ME, names.STOP_QUESTIONNAIRE, names.START_QUESTIONNAIRE, "goodbye",
                                    names.START_OVER}
_TAKE_IT = re.compile(r"\b(?:yes|yeah|yep|yup|sure|ok|okay|please|let'?s do it|let'?s go|do it|i'?ll do it|go ahead|"
                      r"i do want|i want (?:it|to do it|that|the \w+)|i'?d like (?:it|to do it|that|the \w+))\b")


def changes_mind_to_yes(text: str, intent: Optional[str] = None, words: Optional[Pattern[str]] = None) -> bool:
    """After declining an offer: "actually yes", "I changed my mind, I want the consultation" (``words``: what
    else names the offer, e.g. "have them call me"). Never for an alert, a pause, a question or a leave-taking."""
    t = _normalise(text)
    if intent in _OWN_RULES or is_question(text) or is_pause(text) or not _CHANGE_OF_MIND.search(t):
        return False
    return parse_yes_no(text) is Answer.YES and bool(_TAKE_IT.search(t)) or bool(words and words.search(t))


def asks_for_a_person(text: str) -> bool:
    return bool(_PERSON.search(_normalise(text)))


def understand_reply(text: str, intent: Optional[str] = None) -> Optional[Reply]:
    """The reply a message gives to a yes/no question, or None when it gives none.

    The words decide, not the classifier: "thanks, let's do it" is a yes even when
    the intent is ``thanks``. Alerts, pauses, questions and requests for a person
    are never read as a yes or a no.
    """
    if intent in ALERT_INTENTS:
        return Reply.INTERRUPTION
    text = _emoji_words(text)
    if not _normalise(text).strip(" .!?"):
        return None
    if (is_pause(text) and not _asks_past_a_pause(text)) or (
            intent == names.STOP_QUESTIONNAIRE and parse_yes_no(text) is None and not stops_to_rest(text)):
        return Reply.PAUSE
    if asks_for_a_person(text) or is_question(text):
        return Reply.INTERRUPTION
    answer = parse_yes_no(text)
    if answer is None:
        if intent in (names.AFFIRM, names.DENY):  # the classifier heard it, the word lists did not
            return Reply.YES if intent == names.AFFIRM else Reply.NO
        if intent == names.REQUEST_HUMAN:
            return Reply.INTERRUPTION
        return None
    if intent == names.REQUEST_HUMAN and answer is not Answer.YES:
        return Reply.INTERRUPTION
    return Reply(answer.value)


# The yes/no questions asked outside a form, and what follows each reply: the actions in order.
FOLLOW_UPS: Dict[Tuple[str, Reply], Tuple[str, ...]] = {
    (names.UTTER_SSHQ_INTRO, Reply.YES): ("action_sshq_reset", "sshq_form"),
    (names.UTTER_SSHQ_INTRO, Reply.NO): (names.UTTER_SSHQ_LATER,),
    (names.UTTER_SSHQ_INTRO, Reply.PAUSE): (names.UTTER_SSHQ_LATER,),
    (names.UTTER_OFFER_CONSULTATION, Reply.YES): ("consultation_form",),
    (names.UTTER_OFFER_CONSULTATION, Reply.NO): (names.UTTER_NO_CONSULTATION,),
    (names.UTTER_OFFER_CONSULTATION, Reply.PAUSE): (names.UTTER_NO_CONSULTATION,),
    (names.UTTER_SSHQ_CONFIRM_STOP, Reply.YES): ("action_sshq_stopped",),
    (names.UTTER_SSHQ_CONFIRM_STOP, Reply.PAUSE): ("action_sshq_stopped",),
    (names.UTTER_SSHQ_CONFIRM_STOP, Reply.NO): ("sshq_form",),
    (names.UTTER_ASK_FORGET, Reply.YES): ("action_forget_me",),
    (names.UTTER_ASK_FORGET, Reply.NO): (names.UTTER_FORGET_CANCELLED,),
    (names.UTTER_ASK_FORGET, Reply.PAUSE): (names.UTTER_FORGET_CANCELLED,),
    # inside the questionnaire: a pause (the form has refused the message) asks to confirm stopping
    ("sshq_form", Reply.PAUSE): ("sshq_form", "action_deactivate_loop", names.UTTER_SSHQ_CONFIRM_STOP),
}
# a mistake told at the consultation offer: the questions again, from the first (or, declined, the offer again)
FOLLOW_UPS.update({
    (names.UTTER_SSHQ_REDO_OFFER, Reply.YES): ("action_sshq_reset", "sshq_form"),
    (names.UTTER_SSHQ_REDO_OFFER, Reply.NO): (names.UTTER_OFFER_CONSULTATION,),
    (names.UTTER_SSHQ_REDO_OFFER, Reply.PAUSE): (names.UTTER_OFFER_CONSULTATION,),
})
# the offer of the check asked again in short (after an answer) is followed as the offer itself
FOLLOW_UPS.update({(names.UTTER_SSHQ_OFFER_AGAIN, reply): chain
                   for (question, reply), chain in list(FOLLOW_UPS.items()) if question == names.UTTER_SSHQ_INTRO})
# a red flag told at "do you want to stop?": the questionnaire ends as it would mid-form, urgent
RED_FLAG_AT_STOP: Tuple[str, ...] = (names.UTTER_EMERGENCY, "action_sshq_result")
FORMS = frozenset({"sshq_form", "consultation_form"})
LISTEN = "action_listen"


OFFER_THE_CHECK: Tuple[str, ...] = (names.UTTER_SSHQ_INTRO,)
# the offer of the check, first made or asked again after an interruption
CHECK_OFFERS = frozenset({names.UTTER_SSHQ_INTRO, names.UTTER_SSHQ_OFFER_AGAIN})

# A yes/no question that a knowledge question interrupted is asked again after the answer,
# so that the patient's next yes or no still has its question (the offer of the check in
# short: its introduction was just read).
ASKED_AGAIN: Dict[str, str] = {
    names.UTTER_SSHQ_INTRO: names.UTTER_SSHQ_OFFER_AGAIN,
    names.UTTER_SSHQ_OFFER_AGAIN: names.UTTER_SSHQ_OFFER_AGAIN,
    names.UTTER_OFFER_CONSULTATION: names.UTTER_OFFER_CONSULTATION,
    names.UTTER_SSHQ_REDO_OFFER: names.UTTER_SSHQ_REDO_OFFER,
    names.UTTER_SSHQ_CONFIRM_STOP: names.UTTER_SSHQ_CONFIRM_STOP,
    names.UTTER_ASK_FORGET: names.UTTER_ASK_FORGET,
}
# No question is asked more than this many times in a row, the questionnaire's items (bot.core.turns)
# and the yes/no questions asked again after an answer alike.
MAX_ASKS = 3
# the replies to a question that the sources cannot answer or that is off the subject
OTHER_ANSWERS: Dict[str, str] = {
    names.ASK_NOT_IN_SOURCES: names.UTTER_NOT_IN_SOURCES,
    names.OUT_OF_SCOPE: names.UTTER_OUT_OF_SCOPE,
    # and the questions about privacy, and about reaching a person ("what happens at a consultation?")
    names.ASK_PRIVACY: names.UTTER_PRIVACY,
    names.REQUEST_HUMAN: names.UTTER_HUMAN_CONTACT,
}

# Topic answers that the rules follow with more (data/rules/questionnaire.yml: the
# candidates answer offers the symptom check); any other topic is its answer alone.
ANSWER_CHAINS: Dict[str, Tuple[str, ...]] = {
    "candidates": (names.faq_response("candidates"), names.UTTER_SSHQ_INTRO),
}


# action_understand where it answered or said "not understood" (not "Did you mean ...?"): a turn of it ends a run
UNDERSTOOD_ALONE = "action_understand, answering"


def times_asked(question: str, earlier: Sequence[str]) -> int:
    """How many turns in a row ended on ``question`` (or its asking again) at the end of ``earlier``,
    the actions before the patient's latest message; a turn that only asked "Did you mean ...?"
    is passed over, and any other turn (an answer given alone: the question was dropped) ends the run."""
    again = ASKED_AGAIN.get(question, question)
    asked = {question, again} | {first for first, then in ASKED_AGAIN.items() if then == again}
    turns: List[List[str]] = [[]]
    for action in earlier:
        if action == LISTEN:
            turns.append([])
        else:
            turns[-1].append(action)
    count = 0
    for turn in reversed(turns):
        if not turn:
            continue
        if turn[-1] in asked:
            count += 1
        elif turn != [names.ACTION_UNDERSTAND]:
            break
    return count


def answer_to(intent: Optional[str]) -> Optional[str]:
    """The response that answers a question of ``intent`` on its own (a topic's answer, the
    not-in-sources or off-topic reply), or None when the intent is not such a question."""
    if names.is_faq_intent(intent):
        return names.faq_response(names.faq_topic(str(intent)))
    return OTHER_ANSWERS.get(str(intent))


# A whole opening clause that declines or pauses, before a question: "No thanks. How long is it?",
# "not now, but is it safe?". Not "no idea, ...", "no wait, ...", "I don't understand, ...".
_DECLINING = re.compile(r"(?:no|nope|nah|no thanks|no thank you|thanks but no|not really|not interested|not for me|"
                        r"i'?m (?:good|fine|ok|okay)(?: thanks| thank you)?|i'?ll pass|rather not|i'?d rather not)")
_OPENING_CLAUSE = re.compile(r"^\W*([^,.;:!?]+?)\s*(?:[,.;:!?]+|\s+but\b)\s*(\S.*)$")


def opening_reply(text: str) -> Optional[Reply]:
    """NO or PAUSE when the message opens with a whole clause that declines or pauses and goes on
    with more (a question), else None."""
    found = _OPENING_CLAUSE.match(_normalise(text))
    if found is None or re.match(r"(?:wait|i mean|hold on|sorry|actually)\b", found.group(2)):
        return None
    first = found.group(1).strip()
    if _DECLINING.fullmatch(first):
        return Reply.NO
    if _PAUSE.fullmatch(first) or _PAUSE_ALONE.fullmatch(first):
        return Reply.PAUSE
    return None


def answer_with_opening(question: Optional[str], text: str, answer: Optional[str],
                        earlier: Sequence[str] = ()) -> Optional[Tuple[str, ...]]:
    """A question after a declining or pausing opening at an open yes/no question ("No thanks. How long
    is the recovery?", "not now, but is it safe?"): the answer, then what that no or pause brings
    (``FOLLOW_UPS``: at "stop the questionnaire?" a no carries on with it). A pause at "stop?" is
    not taken (it may mean "not now, don't stop"): the answer, then "stop?" again. None otherwise."""
    if answer is None or question not in ASKED_AGAIN or not is_question(text):
        return None
    opening = opening_reply(text)
    if opening is None:
        return None
    if opening is Reply.PAUSE and question == names.UTTER_SSHQ_CONFIRM_STOP:
        return answer_then_ask_again(question, answer, earlier)
    follow = FOLLOW_UPS.get((str(question), opening))
    return (answer, *follow) if follow else None


# intents whose rules would read a message as a yes or a no, or as small talk, at an open question
_MISREAD_AT_A_QUESTION = frozenset({names.AFFIRM, names.DENY, names.GREET, "thanks"})


def ask_again(question: Optional[str], text: str, intent: Optional[str],
              earlier: Sequence[str] = ()) -> Optional[Tuple[str, ...]]:
    """A message at an open yes/no question that answers nothing and has no answer of its own, which the
    rules would follow by its intent ("ok what gets deleted" as affirm at "delete?", "please repeat that",
    "one moment please"): the question again, after "not understood" unless the patient asked to hear it
    again. None when the rules are right to act, or the question was asked ``MAX_ASKS`` times in a row."""
    if question not in ASKED_AGAIN or not _normalise(text).strip(" .!?") or not (
            wants_it_explained(text) or intent in _MISREAD_AT_A_QUESTION):
        return None
    if times_asked(str(question), earlier) >= MAX_ASKS:
        return None
    again = ASKED_AGAIN[str(question)]
    return (again,) if wants_it_explained(text) else (names.UTTER_NOT_UNDERSTOOD, again)


def answer_then_ask_again(question: Optional[str], answer: Optional[str],
                          earlier: Sequence[str] = ()) -> Optional[Tuple[str, ...]]:
    """``answer`` to a question asked at an open yes/no ``question``, then that question again.

    None when there is no answer or ``question`` is not one that is asked again (the rules answer).
    The answer alone when the question was already asked ``MAX_ASKS`` times in a row. A topic's
    answer is always alone, never its chain: the candidates answer's own offer of the check would
    take the open question's place (after a result a yes meant for the consultation would start
    the questions again and wipe the answers), and at the offer of the check the question again
    is that offer.
    """
    again = ASKED_AGAIN.get(question or "")
    if again is None or answer is None or question is None:
        return None
    if times_asked(question, earlier) >= MAX_ASKS:
        return (answer,)
    return answer, again


# "Something else" typed (an SMS has no buttons) or said in other words, after "Did you mean ...?"
_SOMETHING_ELSE = re.compile(r"^\W*(?:(?:no|nope|nah)\W+)?(?:something else|some thing else|sth else|"
                             r"neither(?: of (?:them|those|these))?|none of (?:them|those|these|the above)|"
                             r"something different|(?:an)?other thing|not (?:that|those|these|it|quite|exactly)|other)\W*$",
                             re.IGNORECASE)


def clarify_follow_up(offered: Sequence[str], reply: Optional[Reply], text: str = "") -> Optional[Tuple[str, ...]]:
    """After "Did you mean one of these?": yes takes the first topic offered (the most likely),
    no or "something else" in words (``text``) is the not-in-sources reply; anything else is not ours (None)."""
    if reply is None and _SOMETHING_ELSE.match(text or ""):
        reply = Reply.NO
    if reply is Reply.YES and offered:
        return ANSWER_CHAINS.get(offered[0], (names.faq_response(offered[0]),))
    if reply is Reply.NO and offered:
        return (names.UTTER_NOT_IN_SOURCES,)
    return None


def follow_up(question: str, reply: Optional[Reply], done: Sequence[str]) -> Optional[str]:
    """The next action after ``question`` got ``reply`` and ``done`` already ran, or None (not ours)."""
    return continue_chain(FOLLOW_UPS.get((question, reply)) if reply else None, done)


def continue_chain(chain: Optional[Tuple[str, ...]], done: Sequence[str]) -> Optional[str]:
    """The next action of ``chain`` once ``done`` ran, or None when ``done`` is not its beginning.

    After the last action of the chain: listen, unless it is a form (the form listens itself).
    """
    if not chain or tuple(done[: len(chain)]) != chain[: len(done)] or len(done) > len(chain):
        return None
    if len(done) < len(chain):
        return chain[len(done)]
    return None if chain[-1] in FORMS else LISTEN


# At "delete this conversation?" a yes that also holds back ("I want to think about it", "I'd like to
# know more first", "keep my request") is not a yes: nothing is deleted on a doubtful reading.
_HOLDS_BACK = re.compile(r"\b(?:no|not|don'?t|do not|never|keep|wait|hold on|later|think|rather|unless|first|"
                         r"explain|tell me|more|before|but|until|till|"
                         r"(?:once|after|afterwards|when|if)(?! (?:you can|possible|that'?s (?:ok|okay|fine|alright)|"
                         r"and for all|all|you like|you want|you need to))(?<!at once))\b")


def forget_reply(text: str, intent: Optional[str] = None) -> Optional[Reply]:
    """At "delete this conversation?": a yes only when nothing in the message holds it back (then no)."""
    reply = understand_reply(text, intent)
    if reply is Reply.YES and _HOLDS_BACK.search(_normalise(_emoji_words(text))):
        return Reply.NO
    return reply


def offer_reply(text: str, intent: Optional[str] = None) -> Optional[Reply]:
    """At the questionnaire offer, offering to type someone else's answers, or asking for the
    check again in other words, also accepts it."""
    reply = understand_reply(text, intent)
    if reply is None and (is_proxy(text) or intent == names.START_QUESTIONNAIRE):
        return Reply.YES
    return reply


# a call asked for as a question: "can someone just call me?", "could a nurse ring me back?"
_CALL_ME = re.compile(r"^\W*(?:(?:ok|okay|yes|yeah|please|so|then|well)\W+)*(?:can|could) (?:someone|somebody|a nurse|a person|"
                      r"a doctor|the clinic|they|you|one of you|the team) (?:just |please )?"
                      r"(?:call|ring|phone|contact|email|e-mail) "
                      r"(?:me|us)(?: back)?(?:\W+(?:please|today|soon|instead|tomorrow|later))*\W*$")


def consultation_reply(text: str, intent: Optional[str] = None) -> Optional[Reply]:
    """At the consultation offer, asking to be called or to talk to someone accepts it; after a mistake said
    ("I said no by accident, I'd like a consultation"), what follows it is the reply."""
    if mistake_told(text) and (rest := without_going_back(text)) and rest != _normalise(text).strip(" .,!?;:-"):
        again = consultation_reply(rest)
        if again in (Reply.YES, Reply.NO):
            return again
    reply = understand_reply(text, intent)
    asking = is_question(text)
    if reply is None and not asking and _WANTS_IT.search(_normalise(text)):
        return Reply.YES  # "I'd like a consultation", "please have them call me"
    if reply in (None, Reply.INTERRUPTION) and intent not in ALERT_INTENTS and (
            not asking and (intent == names.REQUEST_HUMAN or asks_for_a_person(text)) or _CALL_ME.match(_normalise(text))):
        return Reply.YES  # "please have someone call me", "can someone just call me?" (not "will someone call me?")
    return reply


_CHECK = re.compile(
    r"\b(?:questionnaire|quiz|symptom check(?:er)?|self[- ]?check|screening|(?:a|the|your|some kind of) test|"
    r"check (?:my|his|her|their) symptoms|(?:see|find out|know|tell me|check) (?:if|whether) i (?:have|might have|"
    r"could have|may have|qualify|am a candidate|'?m a candidate)|(?:is|could|might) (?:it|this|that) (?:be )?"
    r"(?:spinal )?stenosis|(?:does|do) (?:this|that|it|they) sound like (?:spinal )?stenosis)\b"
)
# intents whose own rules answer better than an offer of the check
_ANSWERED_ELSEWHERE = names.ANSWERED_ELSEWHERE


def asks_for_the_check(text: str) -> bool:
    """'a quiz', 'see if I have stenosis', 'can I do your questionnaire?': asking for the check in other words."""
    return bool(_CHECK.search(_normalise(text)))


_DOING = re.compile(r"\b(?:do|take|redo|retake|repeat|restart|start|begin|try|go through|run|fill|again|over)\b")


def asks_to_do_the_check(text: str) -> bool:
    """A request for the check itself ("can I do the symptom check again?"), not a story that mentions it
    ("the test said urgent but my legs still go numb", "could it be stenosis?")."""
    return (asks_for_the_check(text) and bool(_DOING.search(_normalise(text)))
            and Answer.YES not in extract_items(text).values())


def describes_symptoms(text: str) -> bool:
    """A story of leg or buttock symptoms that the questionnaire asks about."""
    return bool(extract_items(text))


# The topic whose answer is the symptoms the check asks about (neurogenic claudication).
SYMPTOMS_TOPIC = "neurogenic_claudication"


def wants_the_check(text: str, intent: Optional[str]) -> bool:
    """Whether a message asks for the check: in other words, or by telling a story of the
    symptoms it asks about that the classifier did not place, or read as the symptoms' own
    question ("my legs ache when I walk and ease when I sit, could this be it?")."""
    if intent == names.faq_intent(SYMPTOMS_TOPIC):
        # symptoms the patient has, not only named or denied ("I don't have leg pain, what is it?")
        return asks_for_the_check(text) or Answer.YES in extract_items(text).values()
    if intent and intent.startswith(_ANSWERED_ELSEWHERE):
        return False
    if asks_for_the_check(text):
        return True
    return intent in (None, names.NLU_FALLBACK, names.OUT_OF_SCOPE, names.GREET) and describes_symptoms(text)


# The check's end or its putting off: once one of these ran in a conversation (a result, the
# check stopped, "later" to its offer), a story of symptoms no longer brings the offer unasked.
CHECK_SETTLED = frozenset({"action_sshq_result", "action_sshq_stopped", names.UTTER_SSHQ_LATER})
# where a conversation starts again (a new session or a restart): what came before is not counted
_FRESH_STARTS = ("action_session_start", "action_restart")


# a wish to go on with the check, said after it was stopped or put off: "ok I'm back, can we continue?",
# "can we pick up where we left off?", "I'm ready to carry on with the questions"
_GO_ON_WORDS = (r"continue|carry on|keep going|go on|resume|pick (?:it )?up where (?:we|i) left off|start (?:it )?again|"
                r"get back to (?:it|the (?:questions?|questionnaire|check|test))|where did we (?:leave|stop)(?: off)?")
_RESUMING = re.compile(
    rf"(?:(?:can|could|shall|may) (?:we|i) |(?:i'?m |i am )?ready to |i'?d like to |i want to |let'?s )?"
    rf"(?:{_GO_ON_WORDS})(?: (?:with )?(?:it|them|the (?:questions?|questionnaire|check|test|quiz)))?"
    rf"(?: (?:now|again|please|then))*\W*$")
_COMING_BACK = re.compile(r"^(?:(?:ok|okay|hi|hello|hey|right|so|sorry|alright|well)\b\W*)*"
                          r"(?P<back>(?:i'?m|i am) back(?: now| again)?\b\W*)?")


def asks_to_resume(text: str) -> bool:
    """"ok I'm back, can we continue?", "continue", "where were we?": the whole message asks to go on with the
    check (its offer again once it was stopped or put off); "I'm on blood thinners, can I continue?" does not."""
    t = _normalise(text).strip()
    opening = _COMING_BACK.match(t)
    rest = t[opening.end():] if opening else t
    if not rest:
        return bool(opening and opening.group("back"))  # "hi, I'm back"; "ok" alone is not
    return says_go_on(t) or is_back(t) or bool(_RESUMING.match(rest))


def since_fresh_start(earlier: Sequence[str]) -> Sequence[str]:
    """The actions of ``earlier`` since the conversation last started again (a new session or a restart)."""
    start = max((i for i, action in enumerate(earlier) if action in _FRESH_STARTS), default=-1)
    return earlier[start + 1:]


def check_left_off(earlier: Sequence[str]) -> bool:
    """Whether the check was stopped or put off ("later") and not done since, by ``earlier``, the actions run
    before the patient's message in this conversation."""
    settled = [action for action in since_fresh_start(earlier) if action in CHECK_SETTLED]
    return bool(settled) and settled[-1] in ("action_sshq_stopped", names.UTTER_SSHQ_LATER)


def offers_the_check_unasked(earlier: Sequence[str]) -> bool:
    """Whether a story of symptoms may still bring the offer of the check, by ``earlier``, the actions
    run before the patient's message: not once this conversation has the check's result, stopped
    it, or put it off. The patient who asks to do it ("can I do the check again?", ``asks_to_do_the_check``)
    still gets it."""
    return not CHECK_SETTLED.intersection(since_fresh_start(earlier))


_PROXY = re.compile(
    r"\b(?:for|on behalf of) (?:my|our) (?:\w+ )?(?:mother|mom|mum|mommy|father|dad|daddy|husband|wife|partner|"
    r"son|daughter|brother|sister|grandmother|grandma|granny|grandfather|grandpa|aunt|uncle|friend|neighbou?r|"
    r"parent|parents|spouse|patient|client|boyfriend|girlfriend|relative|mother-in-law|father-in-law)\b|"
    r"\b(?:my|our) (?:\w+ )?(?:mother|mom|mum|father|dad|husband|wife|partner|son|daughter|brother|sister|"
    r"grandmother|grandma|grandfather|grandpa|aunt|uncle|friend|neighbou?r|parent|spouse|boyfriend|girlfriend|"
    r"relative|mother-in-law|father-in-law)'?s? (?:answers|symptoms|behalf)\b|"
    r"\b(?:type|answer|fill (?:it |this )?(?:in|out)|do (?:it|this|the questionnaire|the check))"
    r" (?:for|on behalf of) (?:him|her|them|someone|somebody)\b|"
    r"\b(?:someone|somebody) else\b|\bon (?:his|her|their) behalf\b"
)


def is_proxy(text: str) -> bool:
    """'I'll type my mother's answers', 'for my husband': someone answers for another person."""
    return bool(_PROXY.search(_normalise(text)))


_PROXY_TALK = re.compile(r"\b(?:not (?:mine|me|for me|myself|my own|the patient)|(?:i'?m|i am) not the patient|"
                         r"it'?s|it is|these are|"
                         r"this is|they are|(?:i'?m|i am|i'?ll be|i will be) (?:answering|typing|doing (?:it|this))|answering|"
                         r"(?:oh )?i should (?:say|mention|have said)|(?:no )?wait|sorry|actually|by the way|btw|oh|ok|okay|so|"
                         r"just so you know|"
                         r"fyi|i forgot to (?:say|mention))\b")


def only_who_it_is_for(text: str) -> bool:
    """"these are my dad's answers, not mine", "I'm not the patient, it's for my wife": who the answers are for, and
    no answer (its "not mine" denies nothing asked)."""
    t = _normalise(text)
    if not _PROXY.search(t):
        return False
    rest = _PROXY_TALK.sub(" ", _PROXY.sub(" ", t))
    return not re.sub(r"[\W_]+", " ", rest).strip()


def answers_for_someone(text: str, intent: Optional[str]) -> bool:
    """"I'll type my mother's answers", "I'm answering for my father", said with no question: someone
    means to do the check for another person (a question for a relative is the classifier's)."""
    return (intent in (None, names.NLU_FALLBACK, names.OUT_OF_SCOPE, names.GREET) and is_proxy(text)
            and not is_question(text))


# ---------------------------------------------------------------- minutes

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "couple": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "ninety": 90, "few": 3, "several": 5,
}
_NUM = r"(\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"


# minutes, typos included ("15 minits")
_MIN = r"(?:minutes?|mins?|min|minits?|minuts?|minuets?|mintues?|minites?|mnts?|m)"


def _number(word: str) -> float:
    return float(word) if word[0].isdigit() else float(_NUMBER_WORDS[word])


# what "between 100 and 200" may count instead of minutes
_NOT_MINUTES = (r"(?:yards?|metres?|meters?|feet|foot|blocks?|miles?|km|kilomet\w+|steps?|years?|months?|weeks?|days?|hours?|"
                r"hrs?)")


def parse_minutes(text: str) -> Optional[Union[int, str]]:
    """Whole minutes, MINUTES_UNKNOWN when the patient cannot say, or None (not an answer)."""
    t = _normalise(text)
    t = re.sub(r"\b(twenty|thirty|forty|fifty)[- ](one|two|three|four|five|six|seven|eight|nine)\b",
               lambda m: str(_NUMBER_WORDS[m.group(1)] + _NUMBER_WORDS[m.group(2)]), t)
    if re.search(r"\bhalf (?:an|a) hour\b|\bhalf hour\b|\b30 ?mins?\b", t):
        return 30
    if re.search(r"\bquarter of an hour\b|\bquarter hour\b", t):
        return 15
    if re.search(r"\b(?:an|one|1) hour and a half\b|\bhour and a half\b|\b1\.5 hours?\b", t):
        return 90
    match = re.search(rf"\b{_NUM}\s*(?:-|to|or)?\s*(?:{_NUM})?\s*(hours?|hrs?|h)\b", t)
    if match:
        return int(round(_number(match.group(1)) * 60))
    match = (re.search(rf"\b{_NUM}\s*(?:-|to|or|,(?!\d{{3}}\b)\s?)\s*{_NUM}\s*{_MIN}\b", t)
             or re.search(rf"\bbetween {_NUM} and {_NUM}\b(?!\s*{_NOT_MINUTES})", t)
             or re.fullmatch(rf"(?:about |around |maybe |roughly |approx(?:imately)? )?{_NUM}\s*(?:-|to|or|,(?!\d{{3}}\b)\s?)\s*"
                             rf"{_NUM}\+?",
                             t.strip(" .!?")))  # "5 or 10" alone
    if match and match.group(1) not in {"a", "an"}:  # a range: the lower end (what they can reliably manage)
        return int(round(min(_number(match.group(1)), _number(match.group(2)))))
    match = re.search(rf"\b{_NUM}\s*{_MIN}\b", t)
    if match:
        return int(round(_number(match.group(1))))
    if re.search(r"\b(?:a )?(?:few|couple of) minutes\b", t):
        return 3 if "few" in t else 2
    if re.search(r"\b(?:a )?(?:minute|min)\b", t):
        return 1
    if re.search(r"\b(?:no limit|as long as i want|hours|all day|unlimited|no problem|not limited)\b", t):
        return 60
    if re.search(r"\b(?:can't|cannot|can not) (?:walk|stand) at all\b|\bnot at all\b|\bbarely\b", t):
        return 0
    bare = re.fullmatch(rf"(?:about |around |maybe |roughly |approx(?:imately)? )?{_NUM}\+?", t.strip(" .!?"))
    if bare and bare.group(1) not in {"a", "an"}:
        return int(round(_number(bare.group(1))))
    if _has(t, _UNSURE) is not None or _has(t, ("varies", "depends", "it depends", "not sure")) is not None:
        return MINUTES_UNKNOWN
    return None


def is_distance(text: str) -> bool:
    """'a block or two', 'to the mailbox': a distance, not a time."""
    return bool(re.search(r"\b(?:blocks?|miles?|yards?|meters?|metres?|feet|km|kilometers?|mailbox|corner|"
                          r"end of the street|down the street|across the room|to the car)\b", _normalise(text)))


# ---------------------------------------------------------------- treatments

_CARE_LABELS = {"PT": "physical_therapy", "MEDS": "pain_medication", "ESI": "epidural_steroid_injections"}

# "I don't remember if I had an MRI", "not sure whether my feet are numb": NegEx takes their "not"
# for a denial of what follows, but they say the patient does not know.
_UNSURE_WHETHER = re.compile(
    r"\b(?:(?:don't|do not|can't|cannot|couldn't) (?:really )?(?:know|remember|recall|tell|say)|"
    r"not (?:really |quite |too )?(?:sure|certain)|unsure|no idea) (?:if|whether)\b")


_TRIED_UNNAMED = re.compile(
    r"\b(?:tried|done|had|used|been through) (?:just about |pretty much |literally )?"
    r"(?:everything|it all|all of (?:them|it|those|these)|(?:lots|a lot|loads) of (?:things|treatments|stuff|different \w+)|"
    r"many things|all sorts|so many things|all the (?:treatments|things|options))\b|"
    r"\b(?:nothing|none of (?:them|it|those|these|that)|none|no treatment|no medicine) (?:has |have |ever |really |of them )?"
    r"(?:worked|helped|helps|works|made (?:a|any) difference|did (?:anything|much|a thing))\b")


_ALL_OF_THEM = re.compile(
    r"^\W*(?:(?:yes|yeah|ok|well|i have|i'?ve)\W+)?(?:all of (?:them|those|these)|all (?:three|3)|everything|the lot|"
    r"all (?:of )?the above|each of them|all those|all these)\W*(?:(?:and )?(?:nothing|none of (?:them|it)) (?:has |have )?"
    r"(?:helped|worked)\W*)?$|"
    r"\b(?:tried|done|had|used|been through) (?:just about |pretty much |literally )?(?:everything|it all|all of (?:them|those|"
    r"these)|all (?:three|3)|the lot)\b|\ball (?:three|3)\b")


_NONE_TRIED = re.compile(r"\b(?:(?:have not|haven'?t|not|never|did not|didn'?t) (?:yet )?(?:tried|had|done|used) "
                         r"(?:any|anything)|no treatments?|nothing yet|none yet|not yet|nothing so far|none so far)\b")


def tried_unnamed(text: str) -> bool:
    """"nothing has worked", "none of them helped": treatments tried, none named ("nothing has helped, I haven't
    tried anything" says none was tried)."""
    t = _normalise(text)
    return bool(_TRIED_UNNAMED.search(t)) and not _NONE_TRIED.search(t)


def parse_care(text: str) -> Optional[Union[List[str], str]]:
    """The treatments tried, as CARE_IDS ids; [] for none; UNKNOWN when they cannot say; None when not an answer."""
    found = mentions(text)
    tried = {_CARE_LABELS[m.label] for m in found if m.label in _CARE_LABELS and not m.negated}
    named = {m.label for m in found if m.label in _CARE_LABELS}
    if len(named) == 1 and len(tried) == 1 and _not_started_yet(text, found):
        return []  # "my doctor wants me to do physio but I haven't started": not tried yet
    if tried:
        return [c for c in CARE_IDS if c in tried]
    if named and _UNSURE_WHETHER.search(_normalise(text)):
        return UNKNOWN  # "I can't remember if I had injections"
    if _ALL_OF_THEM.search(_normalise(text)) and not named:
        return list(CARE_IDS)  # "all of them", "all three", "everything": the three the question names
    if tried_unnamed(text):
        return None  # "nothing has worked": tried, but which? (asked again, never "none")
    if named or any(m.label == "NOTHING" for m in found):
        return []  # only negated treatments ("no PT, no shots") or "nothing yet"
    answer = parse_yes_no(text)
    if answer is Answer.NO:
        return []
    if answer is Answer.UNSURE:
        return UNKNOWN
    return None


# ---------------------------------------------------------------- imaging

_PLANNED = re.compile(r"\b(?:haven'?t had (?:it|one|them)|have not had (?:it|one)|not had (?:it|one) yet|not yet|"
                      r"still waiting|waiting (?:for|on)|booked|scheduled|is planned|going to (?:have|get)|"
                      r"(?:next|this coming) (?:week|month)|wants me to (?:get|have)|"
                      r"haven'?t (?:gone|been|done it))\b")


_NOT_STARTED = re.compile(r"\b(?:(?:have not|haven'?t|not|never) (?:yet )?(?:started|begun|gone|been|tried it)|never went|"
                          r"(?:did not|didn'?t) go|(?:going|about) to (?:start|try|begin)|will (?:start|try|begin)|"
                          r"starting (?:next|soon|on)|referred (?:me )?(?:to|for))\b")
_DONE_AFTER_ALL = re.compile(r"\b(?<!not )(?:i did|did it|did that|finished|completed|went for|had \d+|(?:i'?ve|i have) done it|"
                             r"for \d+ (?:weeks?|months?))\b")


_NONE_YET = re.compile(r"\b(?:no (?:treatments?|therapy) yet|nothing yet|(?:have not|haven'?t) tried anything yet)\b")


def _not_started_yet(text: str, found: Sequence[Any]) -> bool:
    """The one treatment named is planned or referred and not taken up, and no scan (whose waiting may be meant) is named."""
    t = _normalise(text)
    if _NONE_YET.search(t):
        return True  # "no treatment yet, physio and an MRI are booked"
    if any(m.label in ("MRI_CT", "XRAY") for m in found) or (_DONE_AFTER_ALL.search(t) and not re.search(r"\bwait\w*", t)):
        return False
    return bool(_PLANNED.search(t) or _NOT_STARTED.search(t))


# a scan of another part of the body is no scan of the lower back ("an MRI of my knee", "a brain scan")
_OTHER_PART = re.compile(r"\b(?:of|on|for) (?:my |his |her |the )?(?:neck|knees?|head|brain|shoulders?|hips?|chest|heart|"
                         r"abdomen|stomach|belly|tummy|ankles?|wrists?|hands?|elbows?|breasts?|lungs?|kidneys?|liver)\b|"
                         r"\b(?:brain|head|knee|neck|shoulder|hip|chest|heart|cardiac|dental) (?:scan|mri|ct)\b")
_LOWER_BACK = re.compile(r"\b(?:back|spine|spinal|lumbar|lower back|lumbosacral|l[1-5])\b")


def parse_imaging(text: str) -> Optional[Answer]:
    """MRI or CT had: yes; none or X-ray only: no; cannot remember: unsure."""
    found = mentions(text)
    t = _normalise(text)
    if _OTHER_PART.search(t) and not _LOWER_BACK.search(re.sub(r"\bnot (?:of |on )?(?:my |the )?(?:lower )?back\b", " ", t)):
        return Answer.NO  # "MRI of my neck, not the back", "they did an MRI on my knee"
    if any(m.label == "MRI_CT" and not m.negated for m in found):
        if _has(t, ("don't remember", "not sure", "can't remember", "don't know", "maybe")) is not None:
            return Answer.UNSURE
        if _PLANNED.search(t):
            return Answer.NO  # ordered or booked, not had yet
        return Answer.YES
    if any(m.label == "MRI_CT" for m in found) and _UNSURE_WHETHER.search(t):
        return Answer.UNSURE  # "I don't remember if I had an MRI": not a no
    if any(m.label == "XRAY" for m in found) or any(m.label == "MRI_CT" and m.negated for m in found):
        return Answer.NO
    answer = parse_yes_no(text)
    return answer


# ---------------------------------------------------------------- several items at once

_CLAUSE_SPLIT = re.compile(r"\s*(?:[,;.!?]+|\bbut\b|\bthough\b|\bhowever\b|\balthough\b|\band\b|\bplus\b|\balso\b)\s*")
_SYMPTOMS = {"NUMB", "PAIN", "BURN"}
_ACTIVITIES = {"WALK", "STAND"}


def _clause_items(labels: Dict[str, bool], text: str) -> Dict[str, Answer]:
    """Items one clause speaks of. labels: concept -> negated."""
    def ans(*concepts: str) -> Answer:
        return Answer.NO if any(labels.get(c) for c in concepts) else Answer.YES

    items: Dict[str, Answer] = {}
    has = labels.__contains__
    elsewhere = has("SOLES") or has("LEG_REGION") or has("LEGS_BOTH")
    if has("BURN") and has("BUTTOCKS") or labels.get("BURN") and not elsewhere:
        # burning around the buttocks, or none at all; burning elsewhere ("it burns in my feet") or with no
        # place named claims nothing: the pending q9 reads its own yes or no
        items["q9"] = ans("BURN", "BUTTOCKS")
    if has("NUMB") and has("BUTTOCKS"):
        items["q7"] = ans("NUMB", "BUTTOCKS")
    if has("NUMB") and has("SOLES"):
        items["q6"] = ans("NUMB", "SOLES")
    if has("NUMB") and has("LEGS_BOTH"):
        items["q5"] = ans("NUMB", "LEGS_BOTH")
    if has("URINE") and (has("WALK") or has("STAND")):
        items["q10"] = ans("URINE")
    if has("BEND") and (has("BETTER") or has("PAIN") or has("NUMB")):
        items["q4"] = ans("BEND", "BETTER")
    if has("STAND") and (has("NUMB") or has("PAIN")) and not has("URINE"):
        items["q3"] = ans("STAND", "NUMB", "PAIN")
    if has("WALK") and (has("REST") or has("WORSE")) and (has("NUMB") or has("PAIN")) and not has("URINE"):
        items["q2"] = ans("WALK", "NUMB", "PAIN")
    if (has("NUMB") or has("PAIN")) and (has("LEG_REGION") or has("LEGS_BOTH")):
        items["q1"] = ans("NUMB", "PAIN", "LEG_REGION", "LEGS_BOTH")
    return items


def _sure_part(text: str) -> str:
    """The message without the clauses that say the patient does not know ("not sure if it hurts")."""
    t = _normalise(text)
    if not _UNSURE_WHETHER.search(t):
        return t
    return ", ".join(c for c in _CLAUSE_SPLIT.split(t) if c and not _UNSURE_WHETHER.search(c))


def _numbness_without_pain(text: str) -> Optional[Answer]:
    """q8 needs the whole message: "numb, but no pain" spans two clauses. A symptom counts as
    denied only when every mention of it is ("no pain when I sit, but walking is painful": pain)."""
    labels: Dict[str, bool] = {}
    for mention in mentions(_sure_part(text)):
        if mention.label in ("NUMB", "PAIN"):
            labels[mention.label] = labels.get(mention.label, True) and mention.negated
    if labels.get("NUMB") is False and labels.get("PAIN") is True:
        return Answer.YES
    if labels.get("NUMB") is False and labels.get("PAIN") is False:
        return Answer.NO
    return None


_PLACES = ("BUTTOCKS", "SOLES", "LEGS_BOTH", "LEG_REGION")


# A limit is the symptom, not its denial: "I can't stand long in the kitchen", "can't walk more than a few minutes
# without my legs hurting" say that standing or walking brings it on
_CANNOT_FOR_LONG = re.compile(r"\b(?:(?:can'?t|cannot|can not|unable to|not able to|could not|couldn'?t) (stand|walk)(\s+up)?"
                              r"(?=\s+(?:for\s+)?(?:long\b|very long|too long|more than|longer than|"
                              r"any (?:length of time|distance)|far\b|a long time|much\b|over\b))|"
                              r"(?:can|could) (?:only|barely|hardly|just about) (stand|walk)(\s+up)?|"
                              r"(stand|walk)(\s+up)? (?:for )?(?:only|at most|no more than|not more than|barely|hardly)\b)")
_WITHOUT_HURTING = re.compile(r"\bwithout ((?:my |his |her |the )?(?:legs? |back |feet |calves |thighs )?)"
                              r"(hurting|aching|going numb|starting to hurt|getting numb|the pain)\b")


def _as_a_limit(text: str) -> str:
    """"can't stand long" -> "struggle to stand long", and "without my legs hurting" after such a limit -> "before my legs
    hurting" ("I can stand all day without my legs hurting" stays as it is: a no)."""
    limited = _CANNOT_FOR_LONG.sub(lambda m: "struggle to " + "".join(g for g in m.groups() if g), text)
    if "struggle to" in limited:
        head, _, tail = limited.partition("struggle to")
        return head + "struggle to" + _WITHOUT_HURTING.sub(r"before \1\2", tail, count=1)
    if _A_LIMIT.search(text):
        return _WITHOUT_HURTING.sub(r"before \1\2", text, count=1)  # "I can stand 5 minutes at most without ... aching"
    return text


# a limit said after the time: "5 minutes at most", "10 minutes tops", "but not for long"
_A_LIMIT = re.compile(r"\b(?:stand|walk)\w*\b[^,.;]{0,30}\b(?:at most|at the most|max|tops|only)\b|"
                      r"\bnot (?:for )?(?:very )?long\b")


def extract_items(text: str, context_symptom: Optional[str] = None) -> Dict[str, Answer]:
    """Every SSHQ item a free description answers, taking negation into account.

    A clause without a symptom word borrows the previous clause's symptom
    ("numbness in both legs and the soles of my feet" -> q5 and q6); the first
    borrows ``context_symptom`` (the one the pending question asked about):
    "yes, it gets worse when I walk" to "numbness or pain?" speaks of pain.
    """
    results: Dict[str, Answer] = {}
    previous_symptoms: Dict[str, bool] = {context_symptom: False} if context_symptom else {}
    previous_activity: Dict[str, bool] = {}
    previous_places: Dict[str, bool] = {}
    for clause in _CLAUSE_SPLIT.split(_as_a_limit(_normalise(text))):
        if not clause or _UNSURE_WHETHER.search(clause):
            continue  # empty, or "not sure if my feet are numb": no answer
        labels: Dict[str, bool] = {}
        for mention in mentions(clause):
            # denied only when every mention is: "no pain while I sit my legs hurt when I walk" has pain
            labels[mention.label] = labels.get(mention.label, True) and mention.negated
        if not labels:
            continue
        symptoms = {k: v for k, v in labels.items() if k in _SYMPTOMS}
        activity = {k: v for k, v in labels.items() if k in _ACTIVITIES}
        borrowed: Dict[str, bool] = {}
        if not symptoms:
            borrowed.update(previous_symptoms)
        if not activity:
            borrowed.update(previous_activity)
        if labels.get("BURN") is False and not any(k in labels for k in _PLACES) and previous_places:
            # "numb around my buttocks, and it burns there too": burning named without a place is where the
            # clause before it was
            borrowed.update(previous_places)
        previous_places = {k: v for k, v in labels.items() if k in _PLACES} or previous_places
        # a denied symptom is no context for the next clause: "pain in my calves, no numbness, gets worse walking"
        previous_symptoms = symptoms if symptoms and not all(symptoms.values()) else previous_symptoms
        previous_activity = activity or previous_activity
        if not any(k in labels for k in ("PT", "MEDS", "ESI", "MRI_CT", "XRAY")):
            labels = {**borrowed, **labels}
        results.update(_clause_items(labels, clause))
    q8 = _numbness_without_pain(text)
    if q8 is not None:
        results["q8"] = q8
    return results


# ---------------------------------------------------------------- corrections

_CORRECTION = re.compile(
    r"^\s*(?:actually|wait|sorry|oops|correction|i meant|i mean|no wait|hold on|let me correct|on second thought|"
    r"scratch that|i made a mistake|change (?:my|that) answer|my mistake)\b"
)


# "I got the last one wrong", "go back", "that was wrong": back to the question before, with no new answer given
_GO_BACK = re.compile(
    r"\b(?:go(?:ing)? back(?=\s*(?:$|[.,;!?]|please|to (?:the |that )?(?:last|previous|one before|question before|"
    r"other)|a (?:question|step)|one(?: question)?\b))|"
    r"(?:got|answered|put|said|did|had) (?:the |that |my )?(?:last|previous|other) (?:one|question|answer)? ?wrong|"
    r"(?:last|previous) (?:one|answer|question) (?:was|is) wrong|(?:that|it) was wrong|wrong answer|"
    r"i made a mistake|made a mistake(?: there)?|my mistake|(?:change|fix|correct|redo) (?:my|the|that) "
    r"(?:last |previous )?(?:answer|one|question)|undo(?: that)?|i messed (?:that|it) up|i pressed the wrong (?:one|button)|"
    r"(?:pressed|clicked|tapped|hit|chose|picked|said|put|answered|typed) (?:yes|no)(?= (?:by mistake|by accident|"
    r"accidentally))|(?:previous|last) question(?: please)?$|^previous(?: one)?(?: please)?$|wrong button|"
    r"by (?:mistake|accident)|accidentally|(?:answered|got|did|put) (?:that|it|this)(?: one)? wrong|(?:that|it) was a mistake|"
    r"(?:that'?s|that is) (?:wrong|not right))\b")


def without_going_back(text: str) -> str:
    """The message without its words that say a mistake was made, and the fillers around them ("oops, that was wrong,
    only one leg" -> "only one leg")."""
    rest = _SELF_CORRECTION.sub(" ", _GO_BACK.sub(" ", _normalise(text)))
    return re.sub(r"\b(?:please|can we|could we|let'?s|i want to|i'?d like to|oh no|oh dear|oh|oops|whoops|"
                  r"ugh|damn|sorry|to the|to that)\b", " ", rest).strip(" .,!?;:-")


def asks_to_go_back(text: str) -> bool:
    """"I got the last one wrong", "go back", "sorry that was wrong": the previous question again, no answer
    given with it ("I made a mistake, it should be yes" gives one: a correction)."""
    if _GO_BACK.search(_normalise(text)) is None:
        return False
    rest = without_going_back(text)
    # the words that say it was a mistake are (nearly) the whole message: "I made a mistake lifting a box" is not
    return len(re.findall(r"[\w']+", rest)) <= 1 and (parse_yes_no(rest) is None if rest else True)


_RESTART = re.compile(
    r"^\W*(?:(?:ok|okay|hmm+|um+|so|sorry|actually|please|can we|could we|can i|could i|can you|could you|let'?s|lets|"
    r"let me|i want to|i'?d like to|i'?d rather|i wanna|i need to|we should|we need to|i'?ll|i will|i think i'?ll|maybe|"
    r"just)\W+)*"
    r"(?:start (?:(?:it |this |the questions )?all )?(?:over|again|afresh|from (?:the )?(?:beginning|top|start|scratch))|"
    r"begin (?:again|over)|from the (?:top|beginning|start)|(?:go )?back to the (?:beginning|start|first question)|"
    r"reset (?:it|this|the (?:questions|questionnaire|check|test|quiz|answers))|"
    r"restart(?: (?:it|this|the (?:questions|questionnaire|check|test|quiz)))?|redo (?:it|this|the (?:whole thing|questions|"
    r"questionnaire|check|test))|do (?:it|this|the (?:questions|questionnaire|check|test)) (?:all )?(?:again|over|"
    r"from (?:the )?(?:beginning|top|start|scratch))|"
    r"scrap (?:that|this|it)\W+start (?:again|over))"
    r"(?:\W+(?:please|again|from the (?:top|beginning|start)|then|thanks|thank you|instead))*\W*$")


_WHY_ASKED = re.compile(
    r"^\W*(?:(?:ok|okay|sorry|hmm+|um+|but|and|wait|just wondering)\W+)*(?:why (?:do|did|are|would) you (?:ask|need|want)"
    r"(?:ing)?(?: (?:that|this|me that|me this|to know(?: that)?))?|why (?:is|does) (?:that|this|it) matter|"
    r"what(?:'?s| is| are) (?:this|that|these|these questions|all this) for|what'?s the point of (?:this|that|these|asking)"
    r"(?: question| questions)?|what does (?:that|this|it) have to do with "
    r"(?:anything|it|mild)|why (?:that|this) question|how is (?:that|this) relevant)\W*$")


def asks_why_asked(text: str) -> bool:
    """"why do you ask?", "what's this for?", "why does that matter": what the questions are for, no answer."""
    return bool(_WHY_ASKED.match(_normalise(text)))


_ABOUT_DELETING = re.compile(r"\b(?:later|afterwards|after(?:wards)?|once|eventually|automatically|what happens|how long|"
                             r"when (?:do|does|will|is)|do you (?:ever |usually |always )?delete|does it get|is it deleted|"
                             r"are (?:they|my \w+) deleted|if i)\b")


def asks_about_deleting(text: str) -> bool:
    """"will you delete this afterwards?", "what happens if I delete the chat?": a question about deleting, not a
    request to delete ("can you delete my data?" is one)."""
    t = _normalise(text)
    if re.match(r"^\W*(?:please\W+)?(?:can|could|would) you (?:please |just )?(?:delete|remove|erase|wipe)\b", t):
        return False  # "could you delete my number once they call me?": asked for, with a when
    return is_question(text) and bool(_ABOUT_DELETING.search(t))


def asks_to_start_over(text: str) -> bool:
    """"start over", "let's start from the beginning", "I want to redo it": the questionnaire again from
    its first question, never a yes to the question asked."""
    return bool(_RESTART.search(_normalise(text)))


def is_correction(text: str) -> bool:
    return bool(_CORRECTION.search(_normalise(text)))


# "the both legs question", "the walking one", "the question about standing": an earlier question named by its words
_NAMED = re.compile(r"\bthe ([\w' -]{2,30}?) (?:question|one|bit)\b|\b(?:question|one) about (?:the |my )?([\w' -]{2,30}?)"
                    r"(?=\W|$)")
_ITEM_WORDS: Tuple[Tuple[str, str], ...] = (
    ("q10", r"pee|wee|urine|urge|toilet|loo"), ("q9", r"burn\w*"), ("q8", r"without (?:any )?pain|no pain|but no pain"),
    ("q5", r"both legs|two legs"), ("q6", r"soles?|feet|foot"), ("q7", r"buttocks?|bottom|bum"),
    ("q4", r"bend\w*|lean\w*|forward|cart"), ("q3", r"stand\w*"), ("walking_minutes", r"minutes|how long|how far"),
    ("q2", r"walk\w*"), ("q1", r"thighs?|calf|calves|shins?"),
    ("conservative_care", r"treatments?|physio|therapy|medic\w*|injections?"), ("imaging", r"scans?|mri|ct|imaging|x-?rays?"),
)
_CORRECTED_TO = re.compile(r"\b(?:it'?s|it is|it was|actually|should be|should have been|i meant|meant to say|i mean|but)"
                           r"\s+(.*)$")


def named_item(text: str) -> Optional[str]:
    """The questionnaire item a message names by its words ("I got the both legs question wrong": q5), else None."""
    found = _NAMED.search(_normalise(text))
    if found is None:
        return None
    words = found.group(1) or found.group(2) or ""
    return next((item for item, pattern in _ITEM_WORDS if re.search(rf"\b(?:{pattern})\b", words)), None)


def correction_of_a_named_item(text: str, requested: Optional[str]) -> Optional[TurnReading]:
    """"sorry, I got the both legs question wrong, it's only one leg", "I said yes to the standing question but it's
    actually no": the named item changed (not the one answered last, nor the one asked now), else None."""
    item = named_item(text)
    if item is None or item == requested:
        return None
    t = _normalise(text)
    named = _NAMED.search(t)
    after = t[named.end():] if named else t
    tail = _CORRECTED_TO.search(after)
    rest = tail.group(1) if tail else after  # "the burning one is a no": what follows the name
    value = parse_item(item, rest)
    if value is None and item in SSHQ_ITEMS:
        answer = parse_yes_no(rest)
        value = answer.value if answer is not None else None
    return TurnReading({item: value}, corrected=item) if value is not None else None


# ---------------------------------------------------------------- a correction after the result

# a mistake said in words: "I made a mistake", "that was wrong", "I meant no", "it should be yes"
_MISTAKE = re.compile(r"\b(?:wrong|mistake|by accident|accidentally|mixed (?:it |them )?up|i meant|should (?:be|have been)|"
                      r"meant to (?:say|be)|i said (?:yes|no))\b")


def mistake_told(text: str) -> bool:
    """"I made a mistake", "I got the last one wrong", "the walking one should be no": a mistake said."""
    t = _normalise(text)
    return bool(_GO_BACK.search(t) or _MISTAKE.search(t))


_SAFETY_QUESTION = re.compile(r"\b(?:safety|first|bladder|bowels?|emergency|red[ -]?flags?|urgent)(?: \w+)? (?:question|one)\b")


def safety_answer_corrected(text: str) -> bool:
    """"I made a mistake, the safety question should be yes", "I said no to the bladder question by mistake": a
    red flag told as a correction of the first question's answer (the emergency advice, at once)."""
    t = _normalise(text)
    if not (_SAFETY_QUESTION.search(t) and (mistake_told(t) or re.search(r"\b(?:is|was) (?:actually |really )?a yes\b", t))) \
            or re.search(r"\b(?:should (?:be|have been)|is|was) (?:an? )?no\b", t):
        return False
    return bool(re.search(r"\b(?:yes|i do|i have|i did|said no|answered no|pressed no|put no)\b", t))


def asks_to_redo(text: str) -> bool:
    """At the consultation offer after the result: "wait, I made a mistake, I haven't had an MRI", "I got one
    wrong", "the burning one should be no". A mistake said, not as a question, and not with a plain yes or
    no to the offer ("my mistake, yes please", "I said no by accident, I'd like a consultation" answer it).
    The answers are not changed from such a message (its words are easily misread: "I don't have numbness in
    both legs" also names the leg question); the patient is offered the questions again."""
    if "?" in text or is_question(text) or not mistake_told(text):
        return False
    rest = without_going_back(text)
    if re.search(r"\bwrong\b", rest) and not _EXPLICIT_ANSWER.match(rest):
        return True  # "sorry, the walking one was wrong": no reply to the offer
    return bool(mentions(rest)) or consultation_reply(rest) not in (Reply.YES, Reply.NO)


# ---------------------------------------------------------------- one turn of the form

ItemValue = Union[str, int, List[str], None]

_SKIP = re.compile(r"^\s*(?:skip|pass|next|next question|skip (?:it|this|this one|that|this question)|"
                   r"i'?d rather not (?:say|answer)|prefer not to (?:say|answer)|move on)\b")


_STOP = re.compile(r"^\s*(?:stop|cancel|quit|exit|end|not now|not right now|maybe later|later|enough|"
                   r"i want to stop|let'?s stop|stop (?:it|this|the questionnaire|the questions)|no more questions)\b"
                   r"\W*$")


def is_stop(text: str) -> bool:
    """'stop', 'cancel', 'not now': the patient wants to end the questionnaire."""
    return bool(_STOP.search(_normalise(text)))


def is_skip(text: str) -> bool:
    return bool(_SKIP.search(_normalise(text)))


def skip_value(item: str) -> ItemValue:
    """What a skipped item is recorded as: unsure, or unknown (null in the result) for minutes and treatments."""
    from bot.core.questionnaire import CONSERVATIVE_CARE, WALKING_MINUTES

    if item in (WALKING_MINUTES, CONSERVATIVE_CARE):
        return UNKNOWN
    return Answer.UNSURE.value


# "only the left leg", "one foot", "not both": a no to the items about both legs or both feet
_ONE_SIDE = re.compile(r"\b(?:(?:only|just) (?:in )?(?:the |my |his |her |on the |a |one )?(?:left|right|one|single)"
                       r"(?: side| one| leg| foot)?|not both|(?:left|right|one) (?:leg|foot|side) only)\b")


def one_side_only(item: str, text: str) -> bool:
    """Numbness in both legs, or in the soles of both feet (q5, q6), told of one side only: a no, even
    after a "yes" ("yes, only the left leg")."""
    t = _normalise(text)
    both = (re.search(r"\bboth\b", t) and not re.search(r"\bnot both\b", t)
            or re.search(r"\bleft\b", t) and re.search(r"\bright\b", t))
    return item in ("q5", "q6") and bool(_ONE_SIDE.search(t)) and not both


def parse_item(item: str, text: str) -> ItemValue:
    """The answer to one item from a reply to its question, or None."""
    from bot.core.questionnaire import CONSERVATIVE_CARE, IMAGING, WALKING_MINUTES

    if one_side_only(item, text):
        return Answer.NO.value
    if item == "q9":
        burning = [m.negated for m in mentions(text) if m.label == "BURN"]
        if burning and not any(m.label in ("SOLES", "LEG_REGION", "LEGS_BOTH") for m in mentions(text)):
            return (Answer.NO if all(burning) else Answer.YES).value  # "it burns", asked about the buttocks
    if item in ("q5", "q6") and re.match(r"\W*(?:both|both of them|both sides)\b", _normalise(text)):
        return Answer.YES.value  # "both, the left one is worse"

    if item == WALKING_MINUTES:
        return parse_minutes(text)
    if item == CONSERVATIVE_CARE:
        return parse_care(text)
    if item == IMAGING:
        answer = parse_imaging(text)
    else:
        answer = parse_yes_no(text)
    return answer.value if answer else None


# The symptom each SSHQ question asks about ("numbness and/or pain": pain is the safe reading,
# since it claims no numbness the patient did not name).
_QUESTION_SYMPTOM = {"q1": "PAIN", "q2": "PAIN", "q3": "PAIN", "q4": "PAIN", "q5": "NUMB", "q6": "NUMB",
                     "q7": "NUMB", "q8": "NUMB", "q9": "BURN"}


@dataclass(frozen=True)
class TurnReading:
    """What one patient message answers: slot values, and the item it corrected, if any."""

    values: Dict[str, ItemValue]
    corrected: Optional[str] = None
    # said in passing ("I did PT, and I've had an MRI" to the treatments question): kept only for
    # items not answered yet
    side: Dict[str, ItemValue] = field(default_factory=dict)


# the question's own symptom named back, then denied: "the burning one, no", "burning? no", "numb bottom - nope"
# (named back, then a yes, reads as a yes already, with what else it names)
_NAMED_THEN_DENIED = re.compile(r"^(?P<head>[^.!?]{1,40}?)[\s,?:;.!-]*\s(?:no|nope|nah|not really|never)[\s.!]*$")


def named_then_denied(text: str, requested: str) -> bool:
    """"the burning one, no" at the burning question, "mri? no" at the scan question: the closing no answers it,
    not the symptom's name (which alone would read as having it). Only for a head of a few words, one phrase
    without a verb or a time, that names a symptom, a body part or a scan of this question and no other item,
    with no yes or no of its own."""
    found = _NAMED_THEN_DENIED.match(_normalise(text))
    if found is None:
        return False
    head = found.group("head")
    if re.search(r"[,;:]|\b(?:and|but|or|hurts?|helps?|burns?|is|are|was|were|feels?|gets?|goes|go|had|got|did|do|need|"
                 r"last|ago|years?|months?|weeks?|yesterday|before|befor|after)\b", head):
        return False  # "calves hurt, thighs no", "MRI last year, no": a statement before the no, which is another's
    named = {m.label for m in mentions(head)}
    if requested == "imaging" and not named & {"MRI_CT", "XRAY"}:
        return False  # "physio no" at the scan question names no scan
    return len(head.split()) <= 5 and bool(named) and parse_yes_no(head) is None \
        and not set(extract_items(head)) - {requested}


def read_turn(text: str, requested: Optional[str], last_item: Optional[str]) -> TurnReading:
    """Read a reply during the questionnaire.

    The reply to the pending question fills it; symptom descriptions also fill
    every other SSHQ item they mention; "actually, ..." with no item of its own
    corrects the previously answered item instead of answering the pending one.
    """
    named = correction_of_a_named_item(text, requested)
    if named is not None:
        return named  # the item it names, and not the one asked now
    if (requested in SSHQ_ITEMS or requested == "imaging") and named_then_denied(text, requested):
        return TurnReading({str(requested): Answer.NO.value})
    context = _QUESTION_SYMPTOM.get(requested or "") if parse_yes_no(text) is Answer.YES else None
    items: Dict[str, ItemValue] = {k: v.value for k, v in extract_items(text, context).items()}
    if is_correction(text) and last_item and not (set(items) - {last_item}):
        # "that was wrong, it should be yes": the words that say a mistake was made are no answer
        value = items.get(last_item) if last_item in items else parse_item(last_item, without_going_back(text))
        if value is not None:
            return TurnReading({last_item: value}, corrected=last_item)
    values: Dict[str, ItemValue] = dict(items)
    if is_correction(text) and items:
        # "actually, I do get numbness in both feet": it corrects what it names, nothing else
        return TurnReading(values, corrected=next(iter(items)))
    if requested:
        direct = items.get(requested) if requested in SSHQ_ITEMS and requested in items and \
            not one_side_only(requested, text) else parse_item(requested, text)
        opening = None if _SELF_CORRECTION.search(_normalise(text)) else _LEADING.match(_normalise(text))
        if opening and (requested in SSHQ_ITEMS or requested == "red_flags") and not one_side_only(requested, text):
            # "yes, it's numbness rather than pain": the opening word answers the question asked
            direct = (Answer.NO if opening.group(1) in ("no", "nope", "nah") else Answer.YES).value
        if direct is None and requested == "q2" and stops_to_rest(text):
            direct = Answer.YES.value  # "I have to stop and rest after a block": worse with walking, eased by rest
        if direct is not None:
            values[requested] = direct
    return TurnReading(values, side=said_in_passing(text, requested))


_LEADING = re.compile(r"^\s*(yes|yeah|yep|yup|no|nope|nah)\b")
_EXPLICIT_TIME = re.compile(r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|"
                            r"half)\s*(?:-|to|or)?\s*\d*\s*(?:minutes?|mins?|hours?|hrs?)\b")


def said_in_passing(text: str, requested: Optional[str]) -> Dict[str, ItemValue]:
    """Imaging, treatments or minutes mentioned while answering another question."""
    from bot.core.questionnaire import CONSERVATIVE_CARE, IMAGING, WALKING_MINUTES

    found = {m.label for m in mentions(text)}
    side: Dict[str, ItemValue] = {}
    if requested != IMAGING and found & {"MRI_CT", "XRAY"}:
        imaging = parse_imaging(text)
        if imaging is not None and imaging is not Answer.UNSURE:
            side[IMAGING] = imaging.value
    if requested != CONSERVATIVE_CARE and found & {"PT", "MEDS", "ESI"}:
        care = parse_care(text)
        if isinstance(care, list) and care:
            side[CONSERVATIVE_CARE] = care
    if requested != WALKING_MINUTES and found & {"WALK", "STAND", "REST"} and _EXPLICIT_TIME.search(_normalise(text)):
        minutes = parse_minutes(text)
        if isinstance(minutes, int):
            side[WALKING_MINUTES] = minutes
    return side
