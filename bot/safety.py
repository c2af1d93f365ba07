"""Rule-based safety net for red-flag symptoms and words of self-harm.

It does not depend on the intent classifier: ``assess`` reads the raw message
and says whether it *reports* an emergency sign (new loss of bladder or bowel
control, numbness in the groin / inner thighs, leg weakness that is quickly
getting worse) or words of self-harm. It tells a report ("I can't control my
bladder since this morning") from a question *about* a sign ("does mild affect
bladder control?", "will I lose bladder control after the procedure?") and
from a negated one ("no numbness in my groin").

The rules work sentence by sentence on a normalised text, so a red flag in a
message that also asks something else is still caught.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import List, Optional, Pattern, Tuple

from bot.language import fold_apostrophes


class Alert(str, Enum):
    EMERGENCY = "emergency"
    CRISIS = "crisis"


class Sign(str, Enum):
    BLADDER_BOWEL = "bladder_bowel"
    SADDLE_NUMBNESS = "saddle_numbness"
    LEG_WEAKNESS = "leg_weakness"
    SELF_HARM = "self_harm"


@dataclass(frozen=True)
class Finding:
    sign: Sign
    text: str  # the matched words (no personal data beyond the symptom words)

    @property
    def alert(self) -> Alert:
        return Alert.CRISIS if self.sign is Sign.SELF_HARM else Alert.EMERGENCY


@dataclass(frozen=True)
class Assessment:
    findings: Tuple[Finding, ...] = ()
    # a sign was named, but as a question about it, a hypothesis or negated
    mentioned_without_report: bool = False

    @property
    def alert(self) -> Optional[Alert]:
        """Crisis wins over emergency: its message also gives the emergency number."""
        alerts = {f.alert for f in self.findings}
        if Alert.CRISIS in alerts:
            return Alert.CRISIS
        if Alert.EMERGENCY in alerts:
            return Alert.EMERGENCY
        return None


def _rx(pattern: str) -> Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_CANT = r"(?:can ?not|can'?t|cant|couldn'?t|could not|unable to|not able to|can no longer|no longer able to|don'?t|do not|didn'?t|did not)"
_WHOSE = r"(?:my|her|his|their|mom'?s|mum'?s|dad'?s|wife'?s|husband'?s|the)"
_BLADDER = r"(?:bladder|bowels?|pee|peeing|urine|urination|wee|poo|poop|stools?|bowel movements?|toilet)"
_SADDLE = (
    r"(?:groin|inner thighs?|inside of (?:my|her|his|the) thighs?|saddle(?: area)?|crotch|"
    r"genitals?|private parts?|privates|between (?:my|her|his|the) legs|perineum|back passage|anus|rectum)"
)
_NUMB = (
    r"(?:numb|numbness|no feeling|lost (?:the )?feeling|loss of feeling|can'?t feel|cannot feel|cant feel|"
    r"tingl\w*|pins and needles|dead feeling|feels? dead)"
)
_LEG = r"(?:legs?|feet|foot|knees?|thighs?)"
_RAPID = (
    r"(?:sudden|suddenly|all of a sudden|out of nowhere|rapid|rapidly|quickly|fast|overnight|by the hour|"
    r"every hour|within hours|since (?:this morning|yesterday|last night|today)|this morning|today|"
    r"worse and worse|getting worse|worsening|much weaker|more and more)"
)
_WEAK = (
    r"(?:weak|weaker|weakness|gave out|give out|giving out|gave way|giving way|buckl\w+|collaps\w+|"
    r"stopped working|won'?t hold me|can'?t hold me up|can'?t hold my weight|dragging)"
)

_EMERGENCY_RULES: List[Tuple[Sign, Pattern[str]]] = [
    (Sign.BLADDER_BOWEL, _rx(rf"\b{_CANT}\s+(?:\w+\s+)?(?:control|hold(?: in)?)\s+(?:{_WHOSE}\s+)?{_BLADDER}")),
    (Sign.BLADDER_BOWEL, _rx(rf"\b(?:lost|losing|lose|loss of|lost all|no|without|having no|have no)\s+(?:any\s+|all\s+)?(?:the\s+)?control\s+(?:of|over)\s+(?:{_WHOSE}\s+)?{_BLADDER}")),
    (Sign.BLADDER_BOWEL, _rx(rf"\b(?:lost|losing|lose|loss of|no|new)\s+(?:{_WHOSE}\s+)?(?:bladder|bowel|bowels|urine|urinary)\s+control")),
    (Sign.BLADDER_BOWEL, _rx(rf"\b{_BLADDER}\s+(?:control\s+)?(?:is|are|has|have|just)\s+(?:gone|stopped working|not working|given up)")),
    (Sign.BLADDER_BOWEL, _rx(r"\b(?:wet|peed|pissed|soiled|pooped|messed|pooed)\s+(?:my ?self|herself|himself|myself|my pants|my trousers|the bed|my bed)")),
    (Sign.BLADDER_BOWEL, _rx(r"\b(?:incontinent|incontinence)\b")),
    (Sign.BLADDER_BOWEL, _rx(r"\b(?:can'?t|cannot|can not|cant)\s+(?:feel|tell)\s+(?:when|if)\s+i\s+(?:need to|have to)\s+(?:go|pee|poop|use the toilet)")),
    (Sign.SADDLE_NUMBNESS, _rx(r"\bsaddle (?:numbness|anaesthesia|anesthesia)\b")),
    (Sign.SADDLE_NUMBNESS, _rx(rf"\b{_NUMB}\b[^.?!;]{{0,40}}?\b{_SADDLE}\b")),
    (Sign.SADDLE_NUMBNESS, _rx(rf"\b{_SADDLE}\b[^.?!;]{{0,30}}?\b(?:numb|numbness|no feeling|tingl\w*|dead)\b")),
    (Sign.LEG_WEAKNESS, _rx(rf"\b{_RAPID}\b[^.?!;]{{0,50}}?\b{_WEAK}\b")),
    (Sign.LEG_WEAKNESS, _rx(rf"\b{_WEAK}\b[^.?!;]{{0,50}}?\b{_RAPID}\b")),
    (Sign.LEG_WEAKNESS, _rx(rf"\b(?:can'?t|cannot|can not|cant|unable to)\s+(?:move|lift)\s+(?:{_WHOSE}\s+)?(?:\w+\s+)?{_LEG}\b")),
    (Sign.LEG_WEAKNESS, _rx(r"\b(?:sudden|new)\s+foot ?drop\b|\bparaly[sz]ed\b")),
]
_NEEDS_LEG_WORD = {Sign.LEG_WEAKNESS}

_SELF_HARM: Pattern[str] = _rx(
    r"\b(?:kill(?:ing)? (?:my ?self|him ?self|her ?self|them ?selves|themself)|end(?:ing)? (?:it all|my (?:own )?life|things)|"
    r"suicid\w*|take my (?:own )?life|(?:want|going) to die|wish i (?:was|were) dead|"
    r"better off dead|don'?t want to (?:live|be alive|be here anymore|wake up)|no reason to live|"
    r"(?:hurt(?:ing|s)?|harm(?:ing|s)?|cut(?:ting|s)?) (?:my ?self|him ?self|her ?self|them ?selves)|self[- ]?harm\w*|overdos\w*|"
    r"not worth living|can'?t go on(?: living)?|rather be dead)"
)

# In the same sentence, these make a sign a question about it or a hypothesis ...
_HYPOTHETICAL: Pattern[str] = _rx(
    r"\b(?:will|would|could|might|can|does|do|did|is|are|may|should)\s+(?:mild|the procedure|the surgery|surgery|"
    r"it|this|that|stenosis|lss|spinal stenosis|the treatment|treatment|you|a patient|patients|people|someone)\b|"
    r"\b(?:will|would|could|might|may) i\b|\bwhat if\b|\bif (?:i|you|my|someone)\b|\brisks?\b|\bside[- ]effects?\b|"
    r"\bcomplications?\b|\bafter (?:the )?(?:mild|procedure|surgery|operation|treatment)\b|\bcause[sd]?\b|"
    r"\baffect(?:s|ed)?\b|\bsymptoms? of\b|\bsign of\b|\bwarning signs?\b|\bwhat (?:is|are|does)\b|\bwhy\b|\bever\b"
)
# ... unless the patient says it is happening to them now.
_HAPPENING_NOW: Pattern[str] = _rx(
    r"\b(?:since|this morning|today|tonight|yesterday|last night|suddenly|sudden|all of a sudden|right now|"
    r"just now|started|starting|began|beginning|this week|hours? ago|days? ago|new|now|anymore|any more)\b"
)
# Words just before a sign that deny it or weaken it to something else.
_NEGATED_BEFORE: Pattern[str] = _rx(
    r"\b(?:no|not|don'?t|dont|do not|never|without|haven'?t|hasn'?t|isn'?t|aren'?t|nor|none|neither|"
    r"almost|nearly|urge to|need to|afraid of|worried about|scared of|fear of|fear|prevent)\W*(?:\w+\W+){0,3}$"
)
# Weakness that comes with walking or standing and passes is the usual claudication
# pattern, not a red flag, unless the patient also says it came on suddenly.
_EXERTION: Pattern[str] = _rx(
    r"\b(?:when|while|after|if) (?:i |she |he |they )?(?:walk|stand|standing|walking|hike|hiking|exercis)\w*|"
    r"\bthe more i (?:walk|stand)|\blong walks?\b|\bwalk(?:ing)? (?:far|a lot|for a while|too long)"
)
_STRONG_ONSET: Pattern[str] = _rx(
    r"\b(?:suddenly|sudden|all of a sudden|out of nowhere|overnight|by the hour|within hours|since|this morning|"
    r"today|yesterday|last night|every day|each day|by the day)\b"
)
_LEG_WORD: Pattern[str] = _rx(rf"\b{_LEG}\b|\bwalk")
_SENTENCE_SPLIT: Pattern[str] = re.compile(r"(?<=[.?!;\n])\s+|\s+(?:but|however|also|and also|btw|by the way)\s+", re.I)

_TYPO_FIXES: List[Tuple[Pattern[str], str]] = [
    (_rx(r"\bcant\b"), "can't"),
    (_rx(r"\bcannt\b|\bcan't't\b"), "can't"),
    (_rx(r"\bdont\b"), "don't"),
    (_rx(r"\bcontroll?(?:e?d)?\b"), "control"),
    (_rx(r"\bwanna\b|\bwana\b"), "want to"),
    (_rx(r"\bim\b"), "i'm"),
    (_rx(r"\bive\b"), "i've"),
    (_rx(r"\bbladdder\b|\bbladar\b|\bbladdar\b|\bbaldder\b"), "bladder"),
    (_rx(r"\bbowles\b|\bbowl\b"), "bowel"),
    (_rx(r"\bnumbess\b|\bnumbnes\b|\bnumness\b"), "numbness"),
    (_rx(r"\bgroan\b"), "groin"),
    (_rx(r"\bweeker\b"), "weaker"),
    (_rx(r"\bsudenly\b|\bsuddently\b|\bsuddnly\b"), "suddenly"),
    (_rx(r"\bsuicde\b|\bsucide\b"), "suicide"),
]


_SIGN_WORDS: Pattern[str] = _rx(
    rf"\b(?:{_BLADDER}|{_SADDLE}|incontinen\w*|accidents?|wet|soiled|weak\w*|gave out|giving out|paraly\w*|"
    r"can'?t (?:move|lift|walk|stand)|foot ?drop)\b"
)


def names_a_sign(text: str) -> bool:
    """Whether the message uses any red-flag words at all (bladder, groin, weakness ...).

    A classifier-only emergency alert needs this: ordinary leg numbness on
    standing is the usual claudication pattern, not a red flag.
    """
    return bool(_SIGN_WORDS.search(normalise(text)))


def normalise(text: str) -> str:
    """Fold Unicode look-alikes, apostrophes, common typos and white space."""
    text = fold_apostrophes(unicodedata.normalize("NFKC", text or ""))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch == "\n" else " " for ch in text)
    text = " ".join(text.split(" "))
    text = re.sub(r"[ \t]+", " ", text).strip().lower()
    for pattern, repl in _TYPO_FIXES:
        text = pattern.sub(repl, text)
    return text


def _sentences(text: str) -> List[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s and s.strip()]


def _is_report(sentence: str, match: re.Match[str]) -> bool:
    before = sentence[: match.start()]
    if _NEGATED_BEFORE.search(before):
        return False
    if _HYPOTHETICAL.search(sentence) and not _HAPPENING_NOW.search(sentence):
        return False
    return True


def assess(text: str) -> Assessment:
    """Find the red-flag and self-harm reports in one patient message."""
    findings: List[Finding] = []
    mentioned = False
    normalised = normalise(text)
    if _SELF_HARM.search(normalised):
        match = _SELF_HARM.search(normalised)
        assert match is not None
        findings.append(Finding(Sign.SELF_HARM, match.group(0)))
    for sentence in _sentences(normalised):
        for sign, pattern in _EMERGENCY_RULES:
            for match in pattern.finditer(sentence):
                if sign in _NEEDS_LEG_WORD and not _LEG_WORD.search(sentence):
                    continue
                if (
                    sign is Sign.LEG_WEAKNESS
                    and _EXERTION.search(sentence)
                    and not _STRONG_ONSET.search(sentence)
                ):
                    mentioned = True
                    continue
                if _is_report(sentence, match):
                    findings.append(Finding(sign, match.group(0)))
                    break
                mentioned = True
    return Assessment(tuple(findings), mentioned_without_report=mentioned and not findings)
