"""Validation of what a patient gives for a consultation request (pure functions)."""

from __future__ import annotations

import re
from typing import Optional, Tuple

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '.-]+[^\W\d_]+)*\.?$", re.UNICODE)
_NAME_PREFIX = re.compile(r"^(?:my name is|my name's|i am|i'm|im|it's|it is|this is|call me|name:)\s+", re.I)


def clean_name(text: str) -> Optional[str]:
    """A plausible name (letters, spaces, ' . -), 2-80 characters, or None."""
    value = _NAME_PREFIX.sub("", " ".join((text or "").split())).strip(" ,.!")
    if not 2 <= len(value) <= 80 or len(value.split()) > 6 or not _NAME.match(value):
        return None
    return value


def clean_contact(text: str) -> Optional[Tuple[str, str]]:
    """('email', address) or ('phone', number) from a reply, or None."""
    value = " ".join((text or "").split()).strip(" .,;")
    for word in value.split():
        word = word.strip(" .,;<>()")
        if "@" in word:
            return ("email", word.lower()) if _EMAIL.match(word) and len(word) <= 254 else None
    candidate = re.sub(r"^(?:my )?(?:phone|number|tel|cell|mobile)(?: number)?(?: is)?:?\s*", "", value, flags=re.I)
    if _PHONE_CHARS.match(candidate):
        digits = sum(ch.isdigit() for ch in candidate)
        if 7 <= digits <= 15:
            return ("phone", candidate)
    return None


def clean_time(text: str) -> Optional[str]:
    value = " ".join((text or "").split())
    if not 2 <= len(value) <= 200 or not re.search(r"[^\W_]", value):
        return None
    return value

