"""The neurogenic-claudication symptom questionnaire: items, scoring, outcome, advice.

Pure and typed, no Rasa: the form glue in ``actions/`` calls these functions.

The core is the SSHQ for lumbar spinal stenosis (Konno et al., BMC
Musculoskeletal Disorders 2007, 8:102): ten yes/no items, one point per "yes".
The answers are *consistent with LSS* when q1-q4 score 4, or when q1-q4 score
2 or more and q5-q10 score 3 or more. "Not sure" counts as no and is recorded
as unsure. Three more items (walking minutes, conservative care, imaging)
shape the advice, not the result. A red flag ends it with ``urgent``.
"""

from __future__ import annotations

from enum import Enum
from typing import Dict, List, Optional, Tuple

from pydantic import BaseModel, validator


class Answer(str, Enum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class Outcome(str, Enum):
    URGENT = "urgent"
    CONSULT_RECOMMENDED = "consult_recommended"
    NOT_TYPICAL = "not_typical"
    STOPPED = "stopped"


CARE_IDS = ("physical_therapy", "pain_medication", "epidural_steroid_injections")

RED_FLAGS = "red_flags"
SSHQ_ITEMS: Tuple[str, ...] = tuple(f"q{i}" for i in range(1, 11))
CORE_ITEMS = SSHQ_ITEMS[:4]
SECONDARY_ITEMS = SSHQ_ITEMS[4:]
WALKING_MINUTES = "walking_minutes"
CONSERVATIVE_CARE = "conservative_care"
IMAGING = "imaging"

# The order the patient is asked in; "step n of N" counts these.
ITEM_ORDER: Tuple[str, ...] = (RED_FLAGS, *SSHQ_ITEMS, WALKING_MINUTES, CONSERVATIVE_CARE, IMAGING)
TOTAL_STEPS = len(ITEM_ORDER)

# Limited standing/walking: doctors look at whether a patient manages more than this.
WALKING_LIMIT_MINUTES = 15

# A slot cannot hold "not answered yet" and "the patient cannot say" both as None:
# this marks "answered, but no number" for walking_minutes.
MINUTES_UNKNOWN = "unknown"
# The same mark for any item answered with "I don't know" that is kept as null (minutes, treatments).
UNKNOWN = MINUTES_UNKNOWN


def step_of(item: str) -> int:
    """1-based position of an item in the questionnaire."""
    return ITEM_ORDER.index(item) + 1


def progress_payload(item: str) -> Dict[str, Dict[str, object]]:
    return {"questionnaire": {"item": item, "step": step_of(item), "of": TOTAL_STEPS}}


class Answers(BaseModel):
    """Everything the patient answered. Missing SSHQ answers count as no."""

    red_flags: Optional[Answer] = None
    q1: Optional[Answer] = None
    q2: Optional[Answer] = None
    q3: Optional[Answer] = None
    q4: Optional[Answer] = None
    q5: Optional[Answer] = None
    q6: Optional[Answer] = None
    q7: Optional[Answer] = None
    q8: Optional[Answer] = None
    q9: Optional[Answer] = None
    q10: Optional[Answer] = None
    walking_minutes: Optional[int] = None
    conservative_care: Optional[Tuple[str, ...]] = None
    imaging: Optional[Answer] = None

    class Config:
        allow_mutation = False

    @validator("walking_minutes", pre=True)
    def _minutes(cls, value: object) -> Optional[int]:  # noqa: N805
        if value is None or value == MINUTES_UNKNOWN:
            return None
        minutes = int(float(value))  # type: ignore[arg-type]
        if minutes < 0:
            raise ValueError("minutes cannot be negative")
        return minutes

    @validator("conservative_care", pre=True)
    def _care(cls, value: object) -> Optional[Tuple[str, ...]]:  # noqa: N805
        if value is None or value == UNKNOWN or value == [UNKNOWN]:
            return None
        items = tuple(dict.fromkeys(value))  # type: ignore[arg-type]
        unknown = set(items) - set(CARE_IDS)
        if unknown:
            raise ValueError(f"unknown treatments {sorted(unknown)}")
        return tuple(c for c in CARE_IDS if c in items)

    @classmethod
    def from_slots(cls, slots: Dict[str, object]) -> Answers:
        return cls(**{k: slots.get(k) for k in cls.__fields__})


def _points(answers: Answers, items: Tuple[str, ...]) -> int:
    return sum(getattr(answers, item) is Answer.YES for item in items)


def sshq_scores(answers: Answers) -> Tuple[int, int]:
    """(q1-q4 score, q5-q10 score): one point per yes; unsure and missing count 0."""
    return _points(answers, CORE_ITEMS), _points(answers, SECONDARY_ITEMS)


def consistent_with_lss(core: int, secondary: int) -> bool:
    """Konno's rule: q1-q4 all yes, or q1-q4 >= 2 together with q5-q10 >= 3."""
    return core == 4 or (core >= 2 and secondary >= 3)


class Result(BaseModel):
    outcome: Outcome
    q1_q4: int
    q5_q10: int
    walking_minutes: Optional[int]
    conservative_care: Optional[List[str]]  # None: skipped, or the patient could not say
    imaging: Optional[Answer]

    def payload(self) -> Dict[str, Dict[str, object]]:
        """The ``questionnaire_result`` custom payload of message-contract.md."""
        return {
            "questionnaire_result": {
                "outcome": self.outcome.value,
                "sshq": {"q1_q4": self.q1_q4, "q5_q10": self.q5_q10},
                "walking_minutes": self.walking_minutes,
                "conservative_care": None if self.conservative_care is None else list(self.conservative_care),
                "imaging": self.imaging.value if self.imaging else None,
            }
        }


def evaluate(answers: Answers, stopped: bool = False) -> Result:
    core, secondary = sshq_scores(answers)
    if answers.red_flags is Answer.YES:
        outcome = Outcome.URGENT
    elif stopped:
        outcome = Outcome.STOPPED
    elif consistent_with_lss(core, secondary):
        outcome = Outcome.CONSULT_RECOMMENDED
    else:
        outcome = Outcome.NOT_TYPICAL
    return Result(
        outcome=outcome,
        q1_q4=core,
        q5_q10=secondary,
        walking_minutes=answers.walking_minutes,
        conservative_care=None if answers.conservative_care is None else list(answers.conservative_care),
        imaging=answers.imaging,
    )


class Advice(str, Enum):
    """Tailored next steps; each is a domain response ``utter_advice_<value>``."""

    IMAGING = "imaging"
    CONSERVATIVE_CARE = "conservative_care"
    WALKING = "walking"


def advice(result: Result) -> List[Advice]:
    """The spec's tailoring, for ``consult_recommended`` only, from what the patient said:
    nothing about treatments when that question was skipped or they could not say."""
    if result.outcome is not Outcome.CONSULT_RECOMMENDED:
        return []
    tips: List[Advice] = []
    if result.imaging is Answer.NO:
        tips.append(Advice.IMAGING)
    if result.conservative_care == []:
        tips.append(Advice.CONSERVATIVE_CARE)
    if result.walking_minutes is not None and result.walking_minutes < WALKING_LIMIT_MINUTES:
        tips.append(Advice.WALKING)
    return tips


def offers_consultation(outcome: Outcome) -> bool:
    return outcome in (Outcome.CONSULT_RECOMMENDED, Outcome.NOT_TYPICAL)

