"""Compare NLU designs and draw the accuracy-versus-safety curve, from one trained model.

Every message is parsed once; the parse keeps DIET's ranking, the linear second
classifier's ranking and the nearest training examples (bot.rasa_ext.topic_classifier),
so each design's decision is recomputed by bot.core.understanding.decide with its own
settings:

* "before": DIET + Rasa's FallbackClassifier (0.45, ambiguity 0.1), no clarifying;
* "+ clarify": DIET, and "Did you mean ...?" below the threshold;
* "+ neighbours": DIET + the nearest-neighbour second opinion + clarifying;
* "DIET and linear blended" (shipped): DIET's and the linear model's rankings mixed with
  the linear model's share of config.yml (TopicUnderstanding, linear_weight), + neighbours
  + clarifying; "even mean" is the same with half each;
* "without the last question read alone": the shipped design, except that a clarifying
  question for a message of several sentences is not turned into the answer when its last
  question, read alone, is clearly one of the topics offered (``understanding.refocus``);
* "without the second reading": the shipped design, except that a message it is unsure of
  is not read again by the larger encoder (``understanding.second_reading``);
* "linear alone": the linear model's ranking, + neighbours + clarifying;
* "neighbours alone": the closest training example's intent, from 0.80 similarity.

Usage: `.venv/bin/python bench/nlu_report.py [--dev DIR] [--misses] [MODEL]`.
Sets: tests/data/validation.yml, the held-out tests/data/nlu_test.yml (aggregates only), and
with --dev the dev set (in_scope, not_in_sources, off_topic). Only aggregate figures are
printed, except --misses on the validation set.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import names  # noqa: E402
from bot.core.understanding import (  # noqa: E402
    Decision,
    Thresholds,
    agreed,
    asked_about_deleting,
    blend,
    decide,
    is_topic,
    reconsider_no_topic,
    refocus,
    second_reading,
    settle,
    topic_id,
)

ALERTS = (names.RED_FLAG, names.CRISIS)


@dataclass(frozen=True)
class Design:
    thresholds: Optional[Thresholds]  # None: the nearest neighbour alone
    linear_weight: float = 0.0  # the linear classifier's share of the ranking
    # the second reading (the larger encoder), where the parse has it: the shipped first
    # reading was unsure of the message (``understanding.second_reading``)
    second: bool = False


SHIPPED = "DIET and linear blended + neighbours + clarify (shipped)"
OFF = 5  # agree_opinions: more opinions than there are


def shipped_linear_weight() -> float:
    """The linear classifier's share as the server gets it: config.yml over the component's default."""
    from bot.rasa_ext.topic_classifier import TopicUnderstanding

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    settings = next((c for c in config.get("pipeline") or []
                     if str(c.get("name", "")).endswith(TopicUnderstanding.__name__)), {})
    return float({**TopicUnderstanding.get_default_config(), **settings}["linear_weight"])


@functools.lru_cache(maxsize=1)
def all_designs() -> Dict[str, Design]:
    """The designs compared, the shipped one with config.yml's linear share (read once)."""
    weight = shipped_linear_weight()
    return {
        # the FallbackClassifier's own settings before this design: 0.45, ambiguity 0.1
        "before: DIET + FallbackClassifier": Design(
            Thresholds(answer=0.45, margin=0.1, use_neighbours=False, clarify=False, agree_opinions=OFF)),
        "DIET + clarify": Design(Thresholds(use_neighbours=False, agree_opinions=OFF)),
        "DIET + neighbours + clarify": Design(Thresholds(agree_opinions=OFF)),
        "DIET and linear even mean + neighbours + clarify": Design(Thresholds(agree_opinions=OFF), 0.5),
        # without the second reading too: a parse has the second ranking only where the shipped
        # first reading (last question included) was unsure
        "shipped, without the last question read alone nor the second reading": Design(
            Thresholds(focus=1.01, between_topics=1.01), weight),
        "shipped, without the second reading nor the answer between topics": Design(Thresholds(between_topics=1.01), weight),
        "shipped, without the answer between topics": Design(Thresholds(between_topics=1.01), weight, True),
        "shipped, without asking when a topic is close to \"not in the sources\"": Design(
            Thresholds(no_topic_doubt=1.01), weight, True),
        "shipped, without the likeliest topic answered when most opinions rank it first": Design(
            Thresholds(agree_opinions=OFF), weight, True),
        SHIPPED: Design(Thresholds(), weight, True),
        "linear alone + neighbours + clarify": Design(Thresholds(agree_opinions=OFF), 1.0),
        "neighbours alone (>= 0.80)": Design(None),
    }


# (expected topic or None for "no topic", text)
Case = Tuple[Optional[str], str]


def validation_cases() -> List[Case]:
    data = yaml.safe_load((ROOT / "tests" / "data" / "validation.yml").read_text(encoding="utf-8"))
    cases: List[Case] = [(topic, q) for topic, qs in data["topics"].items() for q in qs]
    return cases + [(None, q) for q in data["no_topic"]]


def held_out_cases() -> List[Case]:
    """The independent test set of `make test` (tests/test_nlu_test_set.py); empty without it."""
    path = ROOT / "tests" / "data" / "nlu_test.yml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases: List[Case] = [(topic, q) for topic, qs in (data.get("topics") or {}).items() for q in qs]
    return cases + [(None, q) for kind in ("not_in_sources", "off_topic") for q in data.get(kind) or []]


def dev_cases(folder: Path) -> List[Case]:
    """The dev set's first listed topic is the expected one (any listed one counts as right)."""
    cases: List[Case] = []
    for item in yaml.safe_load((folder / "in_scope.yml").read_text(encoding="utf-8")):
        cases.append(("|".join(item["topics"]), item["text"]))
    for name in ("not_in_sources", "off_topic"):
        cases += [(None, item["text"]) for item in yaml.safe_load((folder / f"{name}.yml").read_text(encoding="utf-8"))]
    return cases


def decision_of(parse: Dict[str, Any], design: Design) -> Decision:
    intent = (parse.get("intent") or {}).get("name")
    if intent in ALERTS:
        return Decision("intent", intent=intent)
    understanding = parse.get("understanding") or {}
    neighbours = [(n, s) for n, s in understanding.get("neighbours") or []]
    if design.thresholds is None:
        best = neighbours[0] if neighbours else (None, 0.0)
        return Decision("intent", intent=best[0]) if best[1] >= 0.80 else Decision("not_understood")
    diet = [(n, c) for n, c in understanding.get("diet") or []]
    ranking = blend(diet, [(n, c) for n, c in understanding.get("linear") or []], design.linear_weight)
    clauses = [[(n, s) for n, s in c] for c in understanding.get("clauses") or []]
    focus = [(n, c) for n, c in understanding.get("focus") or []]
    decision = refocus(decide(ranking, neighbours, clauses, design.thresholds), focus, design.thresholds)
    second = [(n, c) for n, c in understanding.get("second") or []] if design.second else []
    text = str(parse.get("text") or "")
    if second:
        decision = second_reading(decision, second, neighbours, clauses, focus, design.thresholds, text)
    decision = settle(decision, ranking, design.thresholds, text, neighbours, second)
    decision = asked_about_deleting(reconsider_no_topic(decision, ranking, design.thresholds), text)
    return agreed(decision, diet, ([(n, c) for n, c in understanding.get("linear") or []], second), neighbours,
                  design.thresholds, text)


def judge(expected: Optional[str], decision: Decision) -> str:
    """right / wrong / clarified / none for a topic question; safe / unsafe for a no-topic one."""
    answered = [topic_id(decision.intent)] if decision.kind == "intent" and is_topic(decision.intent) else []
    answered += list(decision.topics) if decision.kind == "topics" else []
    if expected is None:
        return "unsafe" if answered else "safe"
    allowed = expected.split("|")
    if answered:
        return "right" if answered[0] in allowed else "wrong"
    if decision.kind == "clarify" and set(decision.topics) & set(allowed):
        return "clarified"
    return "none"


def agreement(parses: Sequence[Dict[str, Any]]) -> str:
    """How many of the shipped design's recomputed decisions are the server's own (they should all be)."""
    same = 0
    for parse in parses:
        server = parse.get("understanding") or {}
        mine = decision_of(parse, all_designs()[SHIPPED])
        if (intent := (parse.get("intent") or {}).get("name")) in ALERTS:
            same += mine.intent == intent
        else:
            same += (mine.kind, mine.intent, list(mine.topics)) == (
                server.get("kind"), server.get("intent"), list(server.get("topics") or []))
    read_again = sum("second" in (p.get("understanding") or {}) for p in parses)
    warning = "" if read_again else " (no message was read a second time: a model trained without it?)"
    return (f"the shipped design recomputed here is the server's decision for {same} of {len(parses)} messages; "
            f"{read_again} were read a second time{warning}")


def figures(cases: Sequence[Case], parses: Sequence[Dict[str, Any]], design: Design) -> Dict[str, float]:
    verdicts = [judge(e, decision_of(p, design)) for (e, _), p in zip(cases, parses, strict=True)]
    topical = [v for (e, _), v in zip(cases, verdicts, strict=True) if e is not None]
    no_topic = [v for (e, _), v in zip(cases, verdicts, strict=True) if e is None]
    share = lambda vs, *kinds: sum(v in kinds for v in vs) / max(len(vs), 1)  # noqa: E731
    return {
        "right": share(topical, "right"),
        "right_or_offered": share(topical, "right", "clarified"),
        "clarified": share(topical, "clarified"),
        "wrong": share(topical, "wrong"),
        "safe": share(no_topic, "safe"),
        "n_topic": len(topical),
        "n_no_topic": len(no_topic),
    }


def row(name: str, f: Dict[str, float]) -> str:
    return (f"| {name} | {f['right']:.1%} | {f['right_or_offered']:.1%} | {f['wrong']:.1%} | {f['safe']:.1%} |")


def table(title: str, cases: Sequence[Case], parses: Sequence[Dict[str, Any]]) -> List[str]:
    first = figures(cases, parses, all_designs()[SHIPPED])
    lines = [f"{title}: {first['n_topic']:.0f} topic questions, {first['n_no_topic']:.0f} without an answer",
             "| design | right topic | right or offered | wrong topic | no topic for unanswerable |",
             "|---|---|---|---|---|"]
    lines += [row(name, figures(cases, parses, t)) for name, t in all_designs().items()]
    return lines


CURVES = {
    # the answer threshold: below it, "did you mean ...?" or "not understood"
    "answer": (0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9),
    # the doubt share: "not in the sources" + "off-topic" from which a topic answer asks instead
    "doubt": (0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 1.01),
    # the last question read alone: from this confidence it picks among the topics offered
    "focus": (0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1.01),
    # the second reading answers while its "not in the sources" + "off-topic" stay below this; 0 off
    "reread": (0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0),
    # unsure only between topics: the leader from this confidence is the answer
    "between_topics": (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 1.01),
    # "not in the sources" while a topic holds this share: "Did you mean ...?" instead
    "no_topic_doubt": (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 1.01),
    # a clarifying question whose likeliest topic this many opinions (of four) rank first: answered
    "agree_opinions": (2, 3, 4, OFF),
    # ... unless DIET gives "not in the sources" and "off-topic" together this share; above 1 off
    "agree_doubt": (0.15, 0.3, 0.5, 0.7, 1.01),
}


def curve(cases: Sequence[Case], parses: Sequence[Dict[str, Any]], knob: str = "answer") -> List[str]:
    """Accuracy versus safety as one knob moves (shipped design, other knobs fixed).

    The second reading's ranking is in a parse only where the shipped settings left the
    first reading unsure, so a knob that makes more messages unsure reads them once only.
    """
    lines = [f"| {knob} | right topic | right or offered | wrong topic | no topic for unanswerable |",
             "|---|---|---|---|---|"]
    shipped = all_designs()[SHIPPED]
    assert shipped.thresholds is not None
    for value in CURVES[knob]:
        t = Thresholds(**{**shipped.thresholds.__dict__, knob: value})
        name = "off" if value >= OFF or value > 1 and knob != "agree_opinions" or (knob == "reread" and value == 0) \
            else f"{value:.2f}" if knob != "agree_opinions" else f"{value:.0f}"
        lines.append(row(name, figures(cases, parses, Design(t, shipped.linear_weight, shipped.second))))
    return lines


def per_topic(cases: Sequence[Case], parses: Sequence[Dict[str, Any]]) -> List[str]:
    counts: Dict[str, Dict[str, int]] = {}
    for (expected, _), parse in zip(cases, parses, strict=True):
        if expected is None:
            continue
        verdict = judge(expected, decision_of(parse, all_designs()[SHIPPED]))
        c = counts.setdefault(expected, {"n": 0, "right": 0, "clarified": 0, "wrong": 0, "none": 0})
        c["n"] += 1
        c[verdict] += 1
    lines = [f"{'topic':26} {'n':>3} {'right':>6} {'clarif':>6} {'wrong':>6}"]
    for topic, c in sorted(counts.items()):
        lines.append(f"{topic:26} {c['n']:3d} {c['right'] / c['n']:6.0%} {c['clarified'] / c['n']:6.0%} "
                     f"{c['wrong'] / c['n']:6.0%}")
    return lines


async def parse_all(agent: Any, texts: Sequence[str]) -> Tuple[List[Dict[str, Any]], List[float]]:
    parses, times = [], []
    for text in texts:
        started = time.perf_counter()
        parses.append(await agent.parse_message(text))
        times.append((time.perf_counter() - started) * 1000)
    return parses, times


async def main(model: str, dev: Optional[Path], misses: bool) -> None:
    # Rasa's debug log would print every message parsed: aggregates only
    os.environ["LOG_LEVEL"] = "WARNING"
    from rasa.core.agent import load_agent
    from rasa.utils.log_utils import configure_structlog

    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)

    agent = await load_agent(model)
    configure_structlog(logging.WARNING)
    await agent.parse_message("warm up")
    cases = validation_cases()
    parses, times = await parse_all(agent, [t for _, t in cases])
    print(f"# NLU report, {time.strftime('%Y-%m-%d')}; parse in-process: median {statistics.median(times):.1f} ms")
    print("\n".join(table("validation set", cases, parses)))
    print(agreement(parses))
    for knob in CURVES:
        print(f"\naccuracy versus safety, validation set, over the {knob} knob:")
        print("\n".join(curve(cases, parses, knob)))
    print("\nper topic, validation set (shipped design):")
    print("\n".join(per_topic(cases, parses)))
    if misses:
        for (expected, text), parse in zip(cases, parses, strict=True):
            verdict = judge(expected, decision_of(parse, all_designs()[SHIPPED]))
            if verdict not in ("right", "safe"):
                u = parse.get("understanding") or {}
                top = ", ".join(f"{r['name']} {r['confidence']:.2f}" for r in (parse.get("intent_ranking") or [])[:3])
                print(f"{verdict:9} {str(expected):24} {text[:60]!r:64} {u.get('kind')} {u.get('topics')} | {top} "
                      f"| nn {u.get('neighbours', [])[:2]}")
    cases = held_out_cases()
    if cases:
        parses, _ = await parse_all(agent, [t for _, t in cases])
        print()
        print("\n".join(table("held-out set tests/data/nlu_test.yml (aggregate only)", cases, parses)))
        print(agreement(parses))
    if dev is not None:
        cases = dev_cases(dev)
        parses, times = await parse_all(agent, [t for _, t in cases])
        print()
        print("\n".join(table("dev set (in-process parse, aggregate only)", cases, parses)))
        print(agreement(parses))
        for knob in CURVES:
            print(f"\naccuracy versus safety, dev set, over the {knob} knob:")
            print("\n".join(curve(cases, parses, knob)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", nargs="?", default=str(ROOT / "models"))
    parser.add_argument("--dev", type=Path, help="a folder of dev-set files (in_scope, not_in_sources, off_topic)")
    parser.add_argument("--misses", action="store_true", help="list the validation set's misses")
    args = parser.parse_args()
    asyncio.run(main(args.model, args.dev, args.misses))
