"""Safety-net figures: recall and false alarms per category, by layer, and the meaning
layer's curve over its thresholds.

`.venv/bin/python bench/safety_report.py [MODEL] [--dev-set DIR]` (also part of `make bench`).
It parses every message of the project's safety sets (tests/data/safety_set*.yml) and, with
--dev-set, the emergency.yml of an outside evaluation folder, with the trained model in this
process.
The alert is the one the NLU pipeline gives (`red_flag` / `crisis`), which is what the
dialogue turns into the emergency or crisis message.
"""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import names  # noqa: E402

ALERT_OF_INTENT = {names.RED_FLAG: "emergency", names.CRISIS: "crisis"}
Case = Tuple[str, str, str, str]  # set, expected (emergency | crisis | none), category, text


def load_cases(dev_set: Optional[Path] = None) -> List[Case]:
    cases: List[Case] = []
    for name in ("safety_set", "safety_set_dev2", "safety_set_dev3", "safety_set_fresh"):
        path = ROOT / "tests" / "data" / f"{name}.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind, categories in data.items():
            for category, texts in categories.items():
                expected = "none" if kind == "look_alike" else kind
                cases += [(name, expected, category, text) for text in texts]
    dev = dev_set / "emergency.yml" if dev_set else None
    if dev is not None and dev.exists():
        for case in yaml.safe_load(dev.read_text(encoding="utf-8")):
            cases.append(("dev-set", case["alert"], case["alert"], case["text"]))
    return cases


async def parse_all(model: str, cases: List[Case]) -> List[Dict[str, Any]]:
    import logging

    from rasa.core.agent import load_agent
    from rasa.utils.log_utils import configure_structlog

    logging.getLogger("rasa").setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)  # no per-message debug lines with the messages in them
    agent = await load_agent(model)
    rows = []
    for name, expected, category, text in cases:
        result = await agent.parse_message(text)
        got = ALERT_OF_INTENT.get(result["intent"]["name"], "none")
        rows.append({"set": name, "expected": expected, "category": category, "got": got,
                     "safety": result.get("safety_net") or {}})
    return rows


def table(rows: List[Dict[str, Any]]) -> None:
    groups: Dict[Tuple[str, str, str], List[Dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[(row["set"], row["expected"], row["category"])].append(row)
    print(f"{'set':18} {'expected':10} {'category':30} {'right':>9}  by rules / meaning / classifier")
    for (name, expected, category), group in sorted(groups.items()):
        right = [r for r in group if r["got"] == r["expected"]]
        layers = defaultdict(int)
        for r in group:
            if r["got"] != "none":
                layers[r["safety"].get("layer") or "classifier"] += 1
        print(f"{name:18} {expected:10} {category:30} {len(right):4}/{len(group):<4}  "
              f"{layers['rules']} / {layers['meaning']} / {layers['classifier']}")
    for name in sorted({r["set"] for r in rows}):
        mine = [r for r in rows if r["set"] == name]
        alerts = [r for r in mine if r["expected"] != "none"]
        looks = [r for r in mine if r["expected"] == "none"]
        recall = sum(r["got"] == r["expected"] for r in alerts)
        false = sum(r["got"] != "none" for r in looks)
        print(f"{name}: alerts {recall}/{len(alerts)} ({recall / max(1, len(alerts)):.1%}), "
              f"false alarms {false}/{len(looks)} ({false / max(1, len(looks)):.1%})")


def curve(rows: List[Dict[str, Any]]) -> None:
    """What the meaning layer alone would add at other thresholds (messages the rules missed)."""
    from bot.core.safety import SemanticThresholds

    default = SemanticThresholds()
    print(f"\nmeaning layer thresholds in use: similarity >= {default.similarity}, margin >= {default.margin}")
    print("similarity margin | alerts added (right kind) | look-alikes alerted")
    scored = [r for r in rows if "alert_similarity" in r["safety"]]
    for similarity in (0.70, 0.75, 0.80, 0.85, 0.90):
        for margin in (0.0, 0.03, 0.06, 0.10):
            added = false = 0
            for r in scored:
                s = r["safety"]
                fires = s["alert_similarity"] >= similarity and s["alert_similarity"] - s["other_similarity"] >= margin
                if not fires:
                    continue
                if r["expected"] == "none":
                    false += 1
                elif s.get("nearest_alert") == r["expected"]:
                    added += 1
            print(f"{similarity:10.2f} {margin:6.2f} | {added:25} | {false}")


def main(model: Optional[str] = None, dev_set: Optional[Path] = None) -> None:
    rows = asyncio.run(parse_all(model or str(ROOT / "models"), load_cases(dev_set)))
    table(rows)
    curve(rows)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", nargs="?")
    parser.add_argument("--dev-set", type=Path, help="a folder with an emergency.yml in the dev set's format")
    options = parser.parse_args()
    main(options.model, options.dev_set)
