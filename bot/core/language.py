"""Small language helpers shared by the NLU components, the answer parsers and the safety net:
words, markup, apostrophes, the one text normaliser (``normalise``) and the one reader of
numbered choices (``choice_number``)."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from typing import Callable, Dict, Iterable, List, Optional, Pattern, Set

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)

# Messages longer than this are not classified: the patient gets a friendly
# "please keep it shorter" reply instead (a real question fits easily).
MAX_MESSAGE_CHARS = 1000


def words(text: str) -> List[str]:
    """Lower-case alphabetic words of a message (digits and symbols dropped)."""
    return [w.lower() for w in _WORD.findall(text or "")]


# An HTML or XML tag: "<img src=x onerror=alert(1)>", "</b>", "<!-- -->" (bounded, no nesting)
_TAG = re.compile(r"<[!/?]?[A-Za-z][^<>]{0,500}>|<!--.{0,500}?-->", re.DOTALL)


def without_markup(text: str) -> str:
    """The message with HTML/XML tags taken out: what a patient wrote, not what a page would run."""
    return _TAG.sub(" ", text or "")


def words_outside_markup(text: str) -> List[str]:
    """The words a patient wrote, outside any tags (a message of tags alone has none)."""
    return words(without_markup(text))


def vocabulary(texts: Iterable[str]) -> Set[str]:
    vocab: Set[str] = set()
    for text in texts:
        vocab.update(words(text))
    return vocab


def known_word_share(text: str, vocab: Set[str]) -> float:
    """Share of the message's words that the assistant was trained on (0..1).

    A message with no words at all (only digits, emoji or symbols) counts as 0.
    """
    tokens = words(text)
    if not tokens:
        return 0.0
    known = sum(1 for w in tokens if w in vocab)
    return known / len(tokens)


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


def fold_apostrophes(text: str) -> str:
    """Curly and look-alike apostrophes as a plain ' (phones type \u2019 in "can\u2019t")."""
    return (text or "").translate(_APOSTROPHES)


# ---------------------------------------------------------------- normalising

class Style(str, Enum):
    """What a normalised text is read by; the two differ on purpose.

    ``ANSWERS`` (bot.core.answers: yes/no, minutes, items): case and apostrophes folded, symbols
    other than ``' . , ; : ! ? / -`` dropped, all white space one space, and the few contractions
    typed without an apostrophe given it back ("dont" -> "don't"), because the answer word lists
    spell them with one.

    ``ALERTS`` (bot.core.safety: red flags, crisis words): Unicode look-alikes folded (NFKC),
    control characters dropped but line breaks kept (they end sentences), symbols kept, and
    contractions spelled out, with or without their apostrophe ("cant", "can't" -> "cannot";
    "i'd" -> "i would"), because the safety patterns are written spelled out.
    """

    ANSWERS = "answers"
    ALERTS = "alerts"


# Contractions typed without their apostrophe, given it back (Style.ANSWERS).
_APOSTROPHE_RESTORED: Dict[str, str] = {
    "dont": "don't", "cant": "can't", "doesnt": "doesn't", "havent": "haven't", "im": "i'm",
}
_APOSTROPHE_RESTORED_RX: Pattern[str] = re.compile(r"\b(?:" + "|".join(_APOSTROPHE_RESTORED) + r")\b")

# Contractions spelled out, with or without their apostrophe (Style.ALERTS), and everyday shorthand.
_SPELLED_OUT: Dict[str, str] = {
    "can't": "cannot", "cant": "cannot", "can not": "cannot", "cannt": "cannot", "cnt": "cannot",
    "couldn't": "could not", "couldnt": "could not", "don't": "do not", "dont": "do not",
    "doesn't": "does not", "doesnt": "does not", "didn't": "did not", "didnt": "did not",
    "won't": "will not", "wont": "will not", "wouldn't": "would not", "wouldnt": "would not",
    "haven't": "have not", "havent": "have not", "hasn't": "has not", "hasnt": "has not",
    "hadn't": "had not", "hadnt": "had not", "isn't": "is not", "isnt": "is not",
    "aren't": "are not", "arent": "are not", "wasn't": "was not", "wasnt": "was not",
    "weren't": "were not", "shouldn't": "should not", "i'm": "i am", "im": "i am",
    "i've": "i have", "ive": "i have", "i'd": "i would", "i'll": "i will",
    "he's": "he is", "hes": "he is", "she's": "she is", "shes": "she is",
    "it's": "it is", "that's": "that is", "thats": "that is", "there's": "there is",
    "theres": "there is", "what's": "what is", "whats": "what is", "wanna": "want to",
    "wud": "would", "nthing": "nothing", "nuthin": "nothing", "nothin": "nothing", "wen": "when", "sinse": "since",
    "nite": "night", "btwn": "between", "yday": "yesterday", "tmrw": "tomorrow", "hav": "have", "problm": "problem",
    "wld": "would", "fel": "feel", "lif": "life", "gonna": "going to", "gona": "going to", "wana": "want to",
    "gotta": "got to", "u": "you", "ur": "your", "pls": "please",
}
_SPELLED_OUT_RX: Pattern[str] = re.compile(
    r"\b(?:" + "|".join(re.escape(k) for k in sorted(_SPELLED_OUT, key=len, reverse=True)) + r")\b"
)
_GENERIC_CONTRACTION: Pattern[str] = re.compile(r"\b(\w+)('d|'ll|'ve|'re)\b")
_GENERIC_ENDINGS: Dict[str, str] = {"'d": " would", "'ll": " will", "'ve": " have", "'re": " are"}
_LETTERS: Pattern[str] = re.compile(r"[a-z]+")


def normalise(text: Optional[str], style: Style, mend: Optional[Callable[[str], str]] = None) -> str:
    """The one text normaliser: ``text`` as the readers of ``style`` expect it (see ``Style``).

    ``mend``, if given, is applied to every run of letters after the rest (the safety net mends
    misspelt key words with it: bot.core.safety.mend_word).
    """
    if style is Style.ANSWERS:
        text = fold_apostrophes(text or "").lower()
        text = re.sub(r"[^\w\s'.,;:!?/-]", " ", text)
        text = _APOSTROPHE_RESTORED_RX.sub(lambda m: _APOSTROPHE_RESTORED[m.group(0)], text)
        text = re.sub(r"\s+", " ", text).strip()
    else:
        text = fold_apostrophes(unicodedata.normalize("NFKC", text or ""))
        text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch == "\n" else " " for ch in text)
        text = re.sub(r"[ \t]+", " ", text).strip().lower()
        text = _SPELLED_OUT_RX.sub(lambda m: _SPELLED_OUT[m.group(0)], text)
        text = _GENERIC_CONTRACTION.sub(lambda m: m.group(1) + _GENERIC_ENDINGS[m.group(2)], text)
    return _LETTERS.sub(lambda m: mend(m.group(0)), text) if mend else text


# ---------------------------------------------------------------- numbered choices

# "2", " 2 ", "2.", "2)", "#2", "# 2", "option 2", "Option 2": the number of a quick reply, where
# buttons show as numbered lines (text-only channels, the Rasa shell). Words ("the second one")
# are not numbers here: the classifier and the answer parsers read them.
_CHOICE: Pattern[str] = re.compile(r"\s*(?:option\s*|#\s*)?(\d{1,2})\s*[.)]?\s*", re.IGNORECASE)


def choice_number(text: Optional[str]) -> Optional[int]:
    """The number a message that is only a choice names ("option 2" -> 2), else None."""
    match = _CHOICE.fullmatch(text or "")
    return int(match.group(1)) if match else None


def choose(text: Optional[str], payloads: List[str]) -> Optional[str]:
    """The payload of the numbered choice ``text`` names among ``payloads``, else None."""
    number = choice_number(text)
    return payloads[number - 1] if number is not None and 1 <= number <= len(payloads) else None
