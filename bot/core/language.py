"""Small language helpers shared by the NLU components and the answer parsers."""

from __future__ import annotations

import re
from typing import Iterable, List, Set

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
