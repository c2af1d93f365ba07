"""Validation of what a patient gives for a consultation request (pure functions)."""

from __future__ import annotations

import re
from enum import Enum
from typing import Optional, Pattern, Tuple

from bot.core import answers

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()./-]+$")
_NAME = re.compile(r"^[^\W\d_]+(?:[ '.-]+[^\W\d_]+)*\.?$", re.UNICODE)
_NAME_PREFIX = re.compile(r"^(?:my name is|my name's|i am|i'm|im|it's|it is|this is|call me|name:)\s+", re.I)


# a relative's name given with who they are: "it's for my mum, her name is Edith Clarke", "for my dad, Tom Hill"
_NAMED = re.compile(r"\b(?:her|his|their|(?:my|our) \w+'s) name is\s+(.+)$|\b(?:she|he|they)(?: is| are|'s)? called\s+(.+)$",
                    re.I)
_FOR_WHOM = re.compile(r"^(?:it'?s |it is |this is |the request is )?for (?:my|our) [\w-]+,?\s+([^\W\d_][^,]*)$", re.I)


def _their_name(value: str) -> Optional[str]:
    """The name in "it's for my mum, her name is Edith Clarke" or "for my dad, Tom Hill", else None."""
    found = _NAMED.search(value) or _FOR_WHOM.search(value)
    if not found:
        return None
    return _name_part(next(group for group in found.groups() if group))


# words that end a name given inside a sentence ("Anne Lee and yes I consent", "Tom Hill please", "Smyth not Smith")
_NAME_ENDS = re.compile(r"\s*(?:,|;|\b(?:and|but|not|please|thanks|thank you|i)\b)", re.I)
# a first word that shows what follows is no name ("he is deaf so email please", "unknown", "fine now")
_NOT_A_NAME_START = re.compile(r"(?:(?:he|she|they|it|we|you) (?:is|are|was|has|have|will|can|does|do|goes|lives)|is|are|was|"
                               r"unknown|private|fine|ok|okay|yes|yeah|yep|sure|no|nope|sorry|now|so|actually|just|the|a|an|my|"
                               r"his|her|hi|hello|hey|thanks|thank you|please|then|first|instead|too|also|really|not me)"
                               r"(?=\s|$|[,.!?])", re.I)


def _name_part(text: str) -> Optional[str]:
    """The name at the start of ``text``, up to a word that ends it; None when nothing name-like is left."""
    head = _NAME_ENDS.split(text.strip(" ,.!"), maxsplit=1)[0].strip(" ,.!-")
    if not head or len(head.split()) > 4 or not _NAME.match(head) or _NOT_A_NAME_START.match(head):
        return None
    return head


def clean_name(text: str) -> Optional[str]:
    """A plausible name (letters, spaces, ' . -), 2-80 characters, or None."""
    value = " ".join((text or "").split())
    if _NAMED.search(value) or _FOR_WHOM.search(value):
        theirs = _their_name(value)
        if theirs is None:
            return None  # "her name is unknown", "for my dad, he is deaf so email please"
        value = theirs
    value = _NAME_PREFIX.sub("", value).strip(" ,.!")
    if not 2 <= len(value) <= 80 or len(value.split()) > 6 or not _NAME.match(value):
        return None
    return value


# what may stand between a name and the number or address after it: "John, my email is ...", "Mary, call me on ..."
_BEFORE_CONTACT = re.compile(r"(?:[\s,;:.-]|\b(?:and|my|her|his|e-?mail|email address|phone|number|mobile|cell|tel|is|call me|"
                             r"reach me|text me|on|at|you can)\b)+$", re.I)


_NOT_A_NAME_BEFORE = re.compile(r"(?:hi|hello|hey|thanks|it'?s|it is|this is|here|home|mobile|cell|work|office|landline|"
                                r"let me \w+|(?:for )?my \w+|number|contact|details)", re.I)


def name_and_contact(text: str) -> Optional[Tuple[str, Tuple[str, str]]]:
    """"John Smith, 555-123-4567", "I'm John, my email is john@x.com": a name and the contact details in one
    reply, or None (a reply with only one of them, or with more than a name before the details)."""
    value = " ".join((text or "").split())
    contact = clean_contact(value)
    if contact is None:
        return None
    at = value.lower().find(contact[1].lower()) if contact[0] == "email" else value.find(contact[1])
    if at <= 0:
        return None
    before = _BEFORE_CONTACT.sub("", value[:at])
    name = clean_name(before)
    if name is None or _NOT_A_NAME_BEFORE.fullmatch(name) or _NOT_A_NAME_START.match(name) \
            or (len(name.split()) == 1 and answers.parse_yes_no(name) is not None) \
            or _ONLY_A_TIME.fullmatch(name.lower()) or answers.WAIT.search(before.lower()):
        return None  # "yes, 07700 900123", "home 555...", "evenings 555...", "for my mum 555...": no name
    return name, contact


_NAME_FIX = re.compile(r"\b(?:spelt|spelled|misspelt|misspelled|typed|got|wrote|put) (?:my|the|her|his) name wrong\b|"
                       r"\b(?:misspelt|misspelled|mistyped) (?:my|the|her|his) name\b|"
                       r"\bname (?:is|was) (?:wrong|misspelt|misspelled|spelt wrong|spelled wrong)\b", re.I)
_NAME_AFTER = re.compile(r"\b(?:it'?s|it is|it should be|should be|the right one is|is actually)\s+(?:actually\s+|just\s+)?(.+)$",
                         re.I)


def name_correction(text: str) -> Optional[str]:
    """"sorry I spelled my name wrong, it's Anne Lee" (at a later question of the form): the name, else None."""
    if not _NAME_FIX.search(text or ""):
        return None
    after = _NAME_AFTER.search(text)
    return _name_part(after.group(1)) if after else None


# a wish not to say when, at the time question: no preference, not a wish to leave the request
_NO_TIME_GIVEN = re.compile(r"^\W*(?:(?:sorry|um+|hmm+|ok|well)\W+)*(?:(?:i'?d |i would )?rather not(?: say)?|"
                            r"(?:i )?(?:don'?t|do not) (?:want|wish) to say|no preference|not fussy)\W*$", re.I)


def no_time_given(text: str) -> bool:
    """"I'd rather not say" where the time is asked: any time will do (the request is kept)."""
    return bool(_NO_TIME_GIVEN.match(" ".join((text or "").lower().split())))


def clean_contact(text: str, *, as_said: bool = False) -> Optional[Tuple[str, str]]:
    """('email', address) or ('phone', number) from a reply, or None. ``as_said`` (the answer to the contact question
    itself) also reads an address typed with spaces or said to voice typing, a number in words, and a phone number
    and an address given together: ('both', "number, address")."""
    value = " ".join((text or "").split()).strip(" .,;")
    both = _BOTH_RECORD.match(value)
    if both:  # the form's own record of both, read again when the form resumes
        phone, email = clean_contact(both.group(1)), clean_contact(both.group(2))
        return ("both", f"{phone[1]}, {email[1]}") if phone and email and phone[0] == "phone" and email[0] == "email" \
            else None
    # "email:ann@example.com" (also how the form keeps it, and reads it again when the form resumes)
    value = re.sub(r"^e-?mail\s*:\s*", "", value, flags=re.I)
    email = _written_email(value)
    if email is None and as_said:
        email = _said_email(value)
    if email is None:
        if "@" in value:
            return None
        phone = _phone_in(value)
        if phone is None and as_said:
            digits = _digits_from_words(_PHONE_PREFIX.sub("", value))
            phone = ("phone", digits) if digits and 7 <= len(digits) <= 15 else None
        return phone
    if as_said:
        # a phone number beside it, and nothing else ("555 123 4567 or ann@example.com"): both are kept
        rest = _BESIDE.sub(" ", _email_pattern(email).sub(" ", value, count=1))
        rest = " ".join(rest.split()).strip(" .,;/-")
        # a phone number, not a time ("09.00-17.00") or a date ("12-03-1950") beside the address
        phone = ("phone", rest) if _PHONE_CHARS.match(rest) and 9 <= sum(ch.isdigit() for ch in rest) <= 15 \
            and not _TIME_OR_DATE.search(rest) else None
        if phone and len(f"{phone[1]}, {email}") <= 254:
            return ("both", f"{phone[1]}, {email}")
    return ("email", email)


_BOTH_RECORD = re.compile(r"^both\s*:\s*(.+?),\s*(\S+@\S+)$", re.I)
# the words around a phone number and an address given together
_BESIDE = re.compile(r"\b(?:or|and|also|my|is|it'?s|phone|number|tel|mobile|cell|e-?mail(?: address)?|address|call|text|me|"
                     r"on|at|either|both|please|thanks|thank you)\b|[,;]|\s/\s", re.I)
_TIME_OR_DATE = re.compile(r"\b\d{1,2}[.:]\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}\s*-\s*\d{4}\b")
# a number in words ("five five five, one two three ..."), as a phone number's digits
_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9"}
_REPEATS = {"double": 2, "triple": 3}
# what may stand around an address said or typed loosely, which must otherwise be the whole reply
_ADDRESS_OPENING = re.compile(r"^(?:(?:it'?s|it is|sure|ok|okay|yes)\W+)*(?:(?:my|the) )?(?:e-?mail(?: address)?|address)?"
                              r"(?: is)?\s*:?\s*", re.I)
_ADDRESS_CLOSING = re.compile(r"[\s,.!]*(?:please|thanks|thank you)?[\s.!]*$", re.I)


def _written_email(value: str) -> Optional[str]:
    """The address written as one word ("ann@example.com"), as before; None without one (or with an invalid one)."""
    for word in value.split():
        word = word.strip(" .,;<>()")
        if "@" in word:
            return word.lower() if _EMAIL.match(word) and len(word) <= 254 else None
    return None


def _said_email(value: str) -> Optional[str]:
    """The address typed with spaces ("ann @ example . com") or said to voice typing ("ann at example dot com",
    "john dot smith at gmail dot com"), when it is the whole reply; it must end in a usual ending of letters
    ("ann @ 5.30pm" is a time, not an address)."""
    said = _ADDRESS_CLOSING.sub("", _ADDRESS_OPENING.sub("", value, count=1))
    if "@" in said:
        local, _, domain = said.partition("@")
    else:
        parts = re.split(r"\s+at\s+", said, flags=re.I)
        if len(parts) != 2:
            return None
        local, domain = parts
    words = {"dot": ".", "underscore": "_", "dash": "-", "hyphen": "-"}
    joined = [re.sub(r"\s*\b(dot|underscore|dash|hyphen)\b\s*", lambda m: words[m.group(1).lower()], part, flags=re.I)
              for part in (local, domain)]
    joined = [re.sub(r"\s*([._-])\s*", r"\1", part).strip() for part in joined]
    address = f"{joined[0]}@{joined[1]}".lower()
    if " " in address or not _EMAIL.match(address) or not re.search(r"\.[a-z]{2,}$", address) or len(address) > 254:
        return None
    return address


def _digits_from_words(value: str) -> Optional[str]:
    """"five five five one two three four five six seven", "double oh seven ...": the digits, when the
    reply is only a number said in words (and digits); else None."""
    tokens = re.findall(r"[a-z]+|\d+|\S", value.lower())
    if not any(t in _DIGIT_WORDS for t in tokens):
        return None
    digits, repeat = [], 1
    for token in tokens:
        if token in _REPEATS:
            repeat = _REPEATS[token]
        elif token in _DIGIT_WORDS or token.isdigit():
            digits.append((_DIGIT_WORDS.get(token) or token) * (repeat if token in _DIGIT_WORDS else 1))
            repeat = 1
        elif token.isalpha() or token not in "+-.,()/":
            return None
    return "".join(digits)


def _email_pattern(email: str) -> Pattern[str]:
    """The address as the reply may have written it: with spaces, or "at" and "dot"."""
    local, _, domain = email.partition("@")
    dot = r"(?:\s*(?:[._-]|\b(?:dot|underscore|dash|hyphen)\b)\s*)"
    parts = [dot.join(map(re.escape, re.split(r"[._-]", part))) for part in (local, domain)]
    return re.compile(r"(?<![\w.+-])" + r"\s*(?:@|\bat\b)\s*".join(parts), re.I)


_PHONE_PREFIX = re.compile(r"^(?:my )?(?:phone|number|tel|cell|mobile)(?: number)?(?: is)?:?\s*", re.I)


def _phone_in(value: str) -> Optional[Tuple[str, str]]:
    """('phone', number) from a reply: the whole reply, or one number inside a sentence."""
    candidate = _PHONE_PREFIX.sub("", value)
    if _PHONE_CHARS.match(candidate):
        digits = sum(ch.isdigit() for ch in candidate)
        if 7 <= digits <= 15:
            return ("phone", candidate)
    # a number inside a sentence: "you can reach me at 555-818-9090", "her number is 5558189090"
    found = [m.group(0).strip(" .-") for m in _PHONE_IN_TEXT.finditer(value)]
    if len(found) == 1 and 7 <= sum(ch.isdigit() for ch in found[0]) <= 15:
        return ("phone", found[0])
    return None


_PHONE_IN_TEXT = re.compile(r"\+?\(?\d[\d ()./-]{5,}\d")
# A time answer that looks like a number ("09.00-17.00", "0830 1230") is a phone number only with the word
# or ten digits or more
_SAYS_PHONE = re.compile(r"\b(?:phone|number|tel|cell|mobile|call me on|reach me (?:at|on))\b", re.I)


def contact_correction(text: str) -> Optional[Tuple[str, str]]:
    """A phone number or e-mail address given where the time was asked (a correction of the details)."""
    contact = clean_contact(text)
    if contact is None:
        return None
    if contact[0] == "email" or _SAYS_PHONE.search(text) or sum(ch.isdigit() for ch in contact[1]) >= 10:
        return contact
    return None


# where the consent is asked, a number or an address is a correction only when said to be one, before it
_CORRECTS = re.compile(r"\b(?:wrong|mistake|typo|actually|should be|should have been|correct (?:one|number|address|email|e-mail)|"
                       r"right (?:one|number|address)|new (?:number|email|e-mail|address)|instead|changed?|use|"
                       r"my (?:phone |mobile |cell )?(?:number|phone|mobile|cell|email|e-mail)(?: address)? is)\b", re.I)


def corrected_before_consent(text: str) -> Optional[Tuple[str, str]]:
    """"wait, my number is wrong, it's 555 123 4568" at the consent question: the new details ("yes 555-123-4567" and
    "no, 555-123-4567 is wrong" are none: the first consents, the second gives no new number)."""
    contact = contact_correction(text)
    if contact is None:
        return None
    marker = _CORRECTS.search(text or "")
    at = (text or "").lower().find(contact[1].lower())
    after = (text or "")[at + len(contact[1]):] if at >= 0 else ""
    if marker and 0 <= marker.start() < at or re.match(r"\W*(?:not|instead)\b", after, re.I):
        return contact
    return None


# after the request was sent: "oh no, my number is wrong, it's 555 123 4568", "can I change the email on my request?"
_FIXING = re.compile(r"\b(?:wrong|mistake|typo|incorrect|misspel\w*|mistyp\w*|change|update|correct|fix)\b.{0,60}"
                     r"\b(?:number|phone|mobile|e-?mail|address|contact(?: details)?|details)\b|"
                     r"\b(?:number|phone|mobile|e-?mail|address|contact details|details)\b.{0,40}"
                     r"\b(?:wrong|typo|incorrect|mistake|misspel\w*|mistyp\w*)\b", re.I)


def fixes_sent_details(text: str) -> bool:
    """"my number is wrong", "can I change the email on my request?": the patient corrects the contact details
    of a request already sent."""
    t = " ".join((text or "").replace("\u2019", "'").split())
    return bool(_FIXING.search(t)) and bool(re.search(r"\b(?:my|i|i'?ve|i'?d|me|mine)\b", t, re.I))


def sent_details_fixed(text: str) -> Optional[Tuple[str, str]]:
    """The new details in such a correction ("... it's 555 123 4568"), written plainly; None without them."""
    return clean_contact(text) if fixes_sent_details(text) else None


def clean_time(text: str) -> Optional[str]:
    value = " ".join((text or "").split())
    if not 2 <= len(value) <= 200 or not re.search(r"[^\W_]", value):
        return None
    return value



# ---------------------------------------------------------------- a reply inside the request form

class FormReply(str, Enum):
    """What a message says at one of the request form's questions."""

    VALUE = "value"  # an answer to check (a name, a number, a time, yes or no)
    QUESTION = "question"  # asked back: answered if it can be, never stored as the value
    CANCEL = "cancel"  # the patient no longer wants the request: nothing is stored
    NOT_A_VALUE = "not_a_value"  # "hold on a sec", "I'd rather talk to a nurse": never stored, asked again


# a wish not to give something, which a question beside it turns into asking what else is possible
_NOT_GIVING = (r"(?:don'?t|do not) (?:want|wish) to (?:give|share|leave|do|say)|(?:would|'?d) rather not|rather not say|"
               r"not comfortable")
_SOFT_CANCEL = re.compile(_NOT_GIVING)
_CANCEL = re.compile(
    r"\b(?:never ?mind|forget (?:it|about it|the request)|cancel(?: it| that| the request)?|changed my mind|"
    rf"{_NOT_GIVING}|no thanks|no thank you|not anymore|skip (?:it|this|the request)|"
    r"i'?ll (?:call|phone|ring) (?:them|myself|the clinic))\b")
# only a bare no leaves the request: "no preference", "not before 10am", "no phone", "at 3, no sorry 4 pm" answer
_BARE_NO = re.compile(r"\W*(?:no|nope|nah|no way|not really|no no)\W*")
# No question of the form is asked more than this many times in a row: then the request is left.
MAX_ASKS = answers.MAX_ASKS


def read_form_reply(text: str, slot: str) -> FormReply:
    """CANCEL for "never mind", "I'd rather not say", and at every question but consent (where a no is
    the answer and a pause asks again) a pause or a bare no; QUESTION for a question of three words or
    more, or a request to explain; NOT_A_VALUE for a moment's wait, and (but at consent) a request for a person or
    for someone else; VALUE otherwise (a one-word "Will" is a name, not a question)."""
    t = " ".join((text or "").lower().replace("\u2019", "'").split())
    asked = "?" in t or answers.is_question(text)
    if answers.WAIT.search(t) and not asked and answers.only_a_wait(t, ok_answers=slot == "contact_consent"):
        return FormReply.NOT_A_VALUE  # only a wait ("hold on a sec"); "hang on, tomorrow at 10" answers
    cancel = _CANCEL.search(t)
    if cancel and _SOFT_CANCEL.fullmatch(cancel.group(0)) and slot == "contact_consent" \
            and means_wished(consent_condition(t)) is not None:
        return FormReply.VALUE  # "yes, but I'd rather not get a call": a yes with a wish (not "yes, but I'd rather not")
    if cancel and _SOFT_CANCEL.fullmatch(cancel.group(0)) and asked:
        return FormReply.QUESTION  # "what if I'd rather not give my name?", "I'd rather not give my number, can I give email?"
    if cancel or slot != "contact_consent" and (answers.is_only_a_pause(t) or _BARE_NO.fullmatch(t)):
        return FormReply.CANCEL
    if slot == "contact_name" and _AGREEING.match(t):
        return FormReply.NOT_A_VALUE  # "yes I agree" given where the name is asked: no name
    if slot == "contact_name" and (_ONLY_A_TIME.fullmatch(t.strip(" .!")) or _RELATIVE_ONLY.fullmatch(t.strip(" .!"))):
        return FormReply.NOT_A_VALUE  # "mornings", "any time", "after lunch", "my husband": no name
    if slot != "contact_name" and _NAME_FIX.search(t):
        return FormReply.NOT_A_VALUE  # "I spelled my name wrong" (its new name is read as a correction): never the value
    if _CHECKING_FIRST.match(t):
        return FormReply.NOT_A_VALUE  # "let me check my calendar", "I need to ask my wife first": never the value
    if slot != "contact_consent" and (answers.asks_for_a_person(t) or answers.is_proxy(t)) and not _has_a_value(t) \
            and not (slot == "contact_time" and names_a_time(t)) and not (slot == "contact_name" and _their_name(t)):
        return FormReply.NOT_A_VALUE  # "I'd rather talk to a nurse", "it's for my mother actually": no name, number or time
    words = re.findall(r"[\w']+", t)
    if answers.wants_it_explained(text) or len(words) >= 3 and ("?" in t or answers.is_question(text)):
        return FormReply.QUESTION
    return FormReply.VALUE


# a time said where the name is asked ("mornings", "any time", "just call me after lunch"); "I am John Smith" is a name
_ONLY_A_TIME = re.compile(r"(?:(?:just|only|please|call me|ring me|any|in the|on|at|around|best|ideally|preferably)\W+)*"
                          r"(?:(?:weekday|weekend)s? )?(?:mornings?|afternoons?|evenings?|nights?|weekdays?|weekends?|any ?time|"
                          r"whenever|(?:after|before|around|at) (?:lunch\w*|breakfast|dinner|tea|supper|work|school|noon|"
                          r"\d[\w:]*)|"
                          r"lunch ?time|midday|\d{1,2}(?::\d\d)?\s*(?:am|pm))(?:\W+(?:please|only|is best|works|thanks))*")
_RELATIVE_ONLY = re.compile(r"(?:(?:it'?s|it is|this is|for|the request is for) )?(?:my|his|her|our) "
                            r"(?:husband|wife|mum|mom|mother|dad|father|son|daughter|partner|brother|sister|grandmother|"
                            r"grandfather|gran|grandma|grandpa|friend|aunt|uncle|neighbou?r)")
_CHECKING_FIRST = re.compile(r"^\W*(?:(?:hold on|hang on|wait|ok|okay|sorry|um+|hmm+|right)\W+)*"
                             r"(?:let me|i'?ll|i will|i need to|i have to|i must|i'?d better|i should) (?:just |quickly |first )?"
                             r"(?:check|ask|see|look|think|find out|confirm)\b(?: (?:with |at |in |on )?(?:my|the|our) \w+)?"
                             r"(?: (?:first|quickly|and get back to you))?\W*$")


def _has_a_value(t: str) -> bool:
    """A number or an e-mail address in the reply ("hold on, it's 555 123 4567")."""
    return "@" in t or sum(ch.isdigit() for ch in t) >= 7


_WITHDRAW = re.compile(r"\b(?:withdraw|take (?:it|that|this|my consent) back|change my mind|cancel|delete|remove|undo)\b")





_WHY_NEEDED = re.compile(r"\bwhy (?:do|does|would|should) (?:you|they|the clinic|it|i) (?:need|want|ask for|give)|"
                         r"\bwhat (?:is|are|do you need|does the clinic need) (?:it|this|that|them|my \w+(?: \w+)?) for\b|"
                         r"\bdo i (?:have|need) to\b|\bis (?:it|this|that) (?:required|compulsory|mandatory|optional|needed)\b|"
                         r"\bwho (?:sees|gets|will see|can see|reads)\b", re.I)


def asks_why_it_is_needed(text: str) -> bool:
    """"why do you need my name?", "do I have to?", "who sees this?": asked at a question of the request form."""
    return bool(_WHY_NEEDED.search(text or ""))


def asks_to_withdraw(text: str) -> bool:
    """"can I withdraw later?", "what if I change my mind?": asked at the consent question."""
    return bool(_WITHDRAW.search((text or "").lower()))


_AGREEING = re.compile(r"^\W*(?:yes|yeah|yep|ok|okay|sure|i agree|agreed|i consent|no problem|fine)\b"
                       r"(?:\W+(?:i agree|please|thanks|that'?s fine|go ahead|sure))*\W*$")


def misses_after(record: Optional[str], slot: str) -> str:
    """The record of misses in a row ("contact_details:2") after one more at ``slot``; another slot starts at 1."""
    name, _, count = str(record or "").partition(":")
    return f"{slot}:{int(count) + 1 if name == slot and count.isdigit() else 1}"


def misses_at(record: Optional[str], slot: str) -> int:
    name, _, count = str(record or "").partition(":")
    return int(count) if name == slot and count.isdigit() else 0


_PARTIAL = re.compile(r"\b(?:but|except|only)\b.*\b(?:not|don'?t|do not|no|without|keep)\b.*\b(?:answers?|results?|"
                      r"questionnaire)\b|\bwithout (?:my |the |his |her )?(?:answers|results)\b|\bnot (?:my|his|her) answers\b")


def partial_consent(text: str) -> bool:
    """'yes, but not my answers', 'yes, only contact me, don't share my answers': a yes to part of it."""
    return bool(_PARTIAL.search(" ".join((text or "").lower().replace("\u2019", "'").split())))


# a yes with a wish about how or when to be contacted: "yes but only by email", "yes, as long as they don't call before 10"
_ASSENT = (r"(?:yes|yeah|yep|yup|ya|yea|sure|ok|okay|fine|alright|all right|absolutely|of course|certainly|i agree|agreed|"
           r"i consent|that'?s (?:fine|ok|okay|alright)|go ahead|please)")
_WITH_A_CONDITION = re.compile(rf"^\W*{_ASSENT}\b(?:\W+{_ASSENT}\b)*\W*"
                               r"(?:(?:but|as long as|provided|only if|though)\s+(?P<condition>\S.{2,149}?)|"
                               r"(?P<only>(?:(?:only|just)\b.{2,60}?|\S.{1,60}?\bonly))|"
                               # the means alone: "yes, by email please", "yes, email me", "yep email"
                               r"(?P<means>(?:by |via )?(?:e-?mail|text|sms|whatsapp)(?: me)?(?: at \S+@\S+)?|"
                               # "yes, no calls please", "yes, I prefer email", "sure, not by phone"
                               r"(?:no (?:phone )?calls|not by phone|no e-?mails?|"
                               r"(?:i )?(?:'d |would )?prefer (?:by |an? )?e-?mail|e-?mail instead of (?:a )?(?:phone|calls?))))"
                               r"(?:\W+(?:please|thanks|thank you))?[\s.!]*$", re.I)
# how: the means of contact; when: a part of the day or week, or a clock time
_HOW = re.compile(r"\b(?:e-?mail\w*|texts?|texting|sms|whatsapp|calls?|called|calling|phoned?|ring|rung|voicemail|landline|"
                  r"mobile)\b", re.I)
_WHEN = re.compile(r"\b(?:mornings?|afternoons?|evenings?|nights?|weekdays?|weekends?|mondays?|tuesdays?|wednesdays?|"
                   r"thursdays?|fridays?|saturdays?|sundays?|lunch ?time|\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm|o'?clock)|"
                   r"(?:before|after|between|until|from) \d{1,2}(?:[:.]\d\d)?(?!\s*(?:days?|weeks?|months?|years?|"
                   r"questions?|minutes?|hours?)))\b", re.I)
# a time named as a wish, not as when a symptom comes ("I'm in pain every morning")
_WISHED = re.compile(r"\b(?:only|not|no|don'?t|do not|never|before|after|between|until|best|better|prefer\w*|ideally|"
                     r"any ?time|call|ring|contact|reach|text|e-?mail)\b", re.I)
# not a wish to pass on: a correction, a request about the data, a question to come, someone else, a symptom
_NOT_A_WISH = re.compile(r"\b(?:wrong|mistake|typo|incorrect|delete|remove|erase|questions?|results?|answers?|gp|doctor|"
                         r"surgeon|nurse|daughter|son|wife|husband|mother|father|mum|mom|dad|friend|pain|hurts?|aches?|"
                         r"numb(?:ness|ed|ing|s)?|burn\w*|morphine|medication|pills?)\b", re.I)


def consent_condition(text: str) -> Optional[str]:
    """The wish about how or when to be contacted that comes with a yes at the consent question ("only by email",
    "don't call before 10"), to pass on with the preferred time; None for a plain yes, or a yes to part of the
    request (``partial_consent``)."""
    value = " ".join((text or "").replace("\u2019", "'").split())
    found = _WITH_A_CONDITION.match(value)
    if found is None or "?" in value or partial_consent(value):
        return None
    condition = found.group("condition") or found.group("only") or found.group("means")
    if _NOT_A_WISH.search(condition) or not (_HOW.search(condition) or _WHEN.search(condition) and _WISHED.search(condition)):
        return None
    return condition


_EMAIL_WORDS = r"e-?mail(?:s|ed|ing)?"
_PHONE_WORDS = r"(?:texts?|texting|sms|whatsapp|calls?|called|calling|phone(?:s|d)?|ring(?:ing)?|rung|voicemail|landline|mobile)"
# the ways of phoning whose refusal means no phone at all ("no calls"; "no texts" may still mean a call)
_CALL_WORDS = r"(?:calls?|called|calling|phone(?:s|d)?|ring(?:ing)?|rung)"
# when or why the means is not wanted ("don't call at work"): a wish about when, not how
_WHEN_NOT = r"(?!\s+(?:at|during|before|after|too|on|in|until|while|early|late|between|from|if|when|for|unless|more)\b)"
# a condition on the means ("phone only if urgent"): no wish for that means alone
_ONLY_IF = r"(?!\s+(?:if|when|unless|for)\b)"
# the one means wished, said outright: "only by email", "email only", "just text me", "rather an email", "call instead"
_ONLY_MEANS = (r"\b(?:only|just)\s+(?:by\s+|via\s+|through\s+)?(?P<only>{m})(?:\s+me)?\b" + _ONLY_IF +
               r"|\b(?P<first>{m})\s+only\b" + _ONLY_IF +
               r"|\b(?:rather|prefer\w*)\s+(?:an?\s+|by\s+|to\s+|you\s+|they\s+|it\s+was\s+|to\s+be\s+)?(?P<rather>{m})\b"
               r"|\b(?P<before>{m})(?:\s+me)?\s+(?:rather than|instead of|instead)\b")
_ONLY_EMAIL = re.compile(_ONLY_MEANS.format(m=_EMAIL_WORDS), re.I)
_ONLY_PHONE = re.compile(_ONLY_MEANS.format(m=_PHONE_WORDS), re.I)
# a means refused outright: "no calls", "please don't call", "not by phone", "I'd rather they didn't ring"
_REFUSES = (r"\b(?:no|not|don'?t|do not|never|didn'?t|won'?t|wouldn'?t)\s+(?:(?:want|get|receive|be)\s+)?"
            r"(?:by\s+|via\s+|any\s+|a\s+|me\s+|to\s+)?{m}\b" + _WHEN_NOT)
_REFUSES_EMAIL = re.compile(_REFUSES.format(m=_EMAIL_WORDS), re.I)
_REFUSES_CALLS = re.compile(_REFUSES.format(m=_CALL_WORDS), re.I)
_WISHES_A_CALL = re.compile(rf"\b{_PHONE_WORDS}\s+(?:me|instead)\b", re.I)


def means_wished(condition: Optional[str]) -> Optional[str]:
    """The one means of contact a wish asks for: "email" for "only by email" or "no calls", "phone" for "just text
    me" or "no emails please"; None when it asks for both, neither, or says when or how often rather than how
    ("don't call at work", "phone only if urgent", "just one call is fine", "no texts, call instead")."""
    text = " ".join(str(condition or "").replace("\u2019", "'").split())
    alone = re.fullmatch(rf"(?:by |via )?(?:(?P<email>{_EMAIL_WORDS})|{_PHONE_WORDS})(?: me)?(?: at \S+)?", text, re.I)
    if alone:  # the means and nothing else: "by email", "text me"
        return "email" if alone.group("email") else "phone"
    only_email, only_phone = bool(_ONLY_EMAIL.search(text)), bool(_ONLY_PHONE.search(text))
    refuses_calls, refuses_email = bool(_REFUSES_CALLS.search(text)), bool(_REFUSES_EMAIL.search(text))
    # "no texts please, call instead", "just text, no calls": one way of phoning refused, another wished
    phones_otherwise = only_phone or bool(_WISHES_A_CALL.search(_REFUSES_CALLS.sub(" ", text)))
    email = only_email or refuses_calls and not phones_otherwise
    phone = only_phone or refuses_email and not only_email
    return "email" if email and not phone else "phone" if phone and not email else None


def details_for_wish(condition: str, given: str, asked_before: bool, text: str) -> Tuple[Optional[str], Optional[str]]:
    """What a wish given with the consent does to the details ``given`` ("phone:555 ..."): (details taken from the
    consent reply ``text``, or None; the means to ask for, or None). An e-mail address in the reply itself is taken
    ("yes, only by email: ann@example.com"; a time or a date there may read as a number, so a number is not); the
    other means than the one given is asked for once ("yes but only by email" after a phone number); otherwise the
    wish is only noted (None, None)."""
    wished = means_wished(condition)
    offered = clean_contact(text) if wished == "email" else None
    if offered is not None and offered[0] == "email":
        return f"email:{offered[1]}", None
    if wished is None or not given or given.partition(":")[0] in (wished, "both") or asked_before:
        return None, None
    return None, wished


# an address or number tried ("ann.lee@example", "ann at example dot", "555 12")
_TRIES_DETAILS = re.compile(r"@|\bdot\b|\d{3}")
# a moment asked for beyond answers.WAIT's words ("hold on", "one sec"): looking the details up
_LOOKING = re.compile(r"\b(?:one minute|let me (?:find|look|check|get|see))\b")


def keeps_earlier_details(text: str) -> bool:
    """At the details asked again for the means the patient wished ("only by email" after a phone number): a reply
    that gives none ("I don't have e-mail", "no", "keep the number") keeps the details given before. Not a question,
    a wish to leave the request, a wait, or an address or number that does not read: those are read as at any
    question."""
    t = " ".join((text or "").lower().replace("\u2019", "'").split())
    if _BARE_NO.fullmatch(t) or re.fullmatch(r"\W*no,? thanks?(?: you)?\W*", t) or _SOFT_CANCEL.search(t):
        return True  # "no", "I'd rather not give my email": the earlier details, not leaving the request
    if "changed my mind" in t and re.search(rf"\b(?:{_EMAIL_WORDS}|{_PHONE_WORDS}|number)\b", t) and "contact" not in t:
        return True  # "I've changed my mind, phone is fine"; "changed my mind, don't contact me" leaves
    return read_form_reply(text, "contact_details") is FormReply.VALUE and not _TRIES_DETAILS.search(t) \
        and not answers.WAIT.search(t) and not _LOOKING.search(t)


def with_condition(preferred_time: Optional[str], condition: str, limit: int = 200) -> str:
    """The preferred time with the patient's condition after it, within the stored field's length (once: a wish
    said again is not added again)."""
    time = str(preferred_time or "").strip()
    if condition in time.split("; "):
        return time
    joined = f"{time}; {condition}" if time else condition
    return joined if len(joined) <= limit else joined[: limit - 3].rstrip() + "..."


_TIME_WORDS = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekdays?|weekends?|morning|mornings|"
                         r"afternoons?|evenings?|nights?|noon|midday|today|tomorrow|tonight|anytime|any time|whenever|"
                         r"am|pm|o'?clock|\d{1,2}(?::\d\d)?(?:\s*(?:am|pm))?)\b")


def names_a_time(text: str) -> bool:
    """"how about Tuesday morning?", "is 3pm ok?": a time asked as a question ("what happens to my answers?" is not)."""
    return bool(_TIME_WORDS.search((text or "").lower()))
