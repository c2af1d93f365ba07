"""Parse the validation set with the trained model and show every miss with its confidences.

A tuning aid (not a test): `.venv/bin/python bench/nlu_report.py [--all] [MODEL]`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def main(show_all: bool, model: str) -> None:
    from rasa.core.agent import load_agent

    agent = await load_agent(model)
    held = yaml.safe_load((ROOT / "tests" / "data" / "validation.yml").read_text(encoding="utf-8"))
    cases = [(f"faq_{t}", q) for t, qs in held["topics"].items() for q in qs]
    cases += [("<no topic>", q) for q in held["no_topic"]]
    cases += [("red_flag", q) for q in held["alerts"]["emergency"]] + [("crisis", q) for q in held["alerts"]["crisis"]]
    cases += [("<no alert>", q) for q in held["look_alikes"]]
    misses = 0
    for expected, text in cases:
        result = await agent.parse_message(text)
        ranking = result.get("intent_ranking") or [result["intent"]]
        top = result["intent"]["name"]
        ok = (
            top == expected
            or (expected == "<no topic>" and not top.startswith("faq_"))
            or (expected == "<no alert>" and top not in {"red_flag", "crisis"})
        )
        misses += not ok
        if show_all or not ok:
            alts = ", ".join(f"{r['name']} {r['confidence']:.2f}" for r in ranking[:3])
            print(f"{'ok  ' if ok else 'MISS'} {expected:32} {text[:70]!r:74} -> {alts}")
    print(f"{misses} misses of {len(cases)}")


if __name__ == "__main__":
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main("--all" in sys.argv, paths[0] if paths else str(ROOT / "models")))
