"""`make mutation`: mutation testing of the pure core, and the share of mutants killed.

Runs mutmut 3 (configured in pyproject.toml, [tool.mutmut]: the core modules against
their unit tests) with at most two workers, then reads the verdicts mutmut leaves in
``mutants/bot/core/<module>.py.meta`` and prints, per module and in all, how many mutants the
tests killed. ``--report`` prints the figures of the last run without running again;
``--survivors`` lists the mutants that lived. Exit status 1 when the total is below
the bar (85 %).

    python bench/mutation.py [--report] [--survivors] [--max-children N] [MUTANT_GLOB ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
# the pure core, as pyproject.toml's [tool.mutmut] only_mutate lists it (tests/test_layers.py keeps them pure)
MODULES = ("core/questionnaire", "core/answers", "core/turns", "core/language", "core/markers", "core/safety",
           "core/knowledge", "core/settings")
BAR = 0.85
# mutmut's exit codes (mutmut.stats.status_by_exit_code): a kill is a failing test run or a timeout
KILLED = {1, 3, 24, -24, 152, 255, 36}
SURVIVED = {0}
NO_TESTS = {5, 33}


def run_mutmut(max_children: int, names: Sequence[str]) -> int:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the copied code in mutants/ must win over the source tree
    mutmut = Path(sys.executable).with_name("mutmut")
    return subprocess.call([str(mutmut), "run", "--max-children", str(max_children), *names], cwd=ROOT, env=env)


def verdicts(module: str) -> Dict[str, object]:
    meta = ROOT / "mutants" / "bot" / f"{module}.py.meta"
    if not meta.is_file():
        return {}
    return dict(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])


def tally(codes: Sequence[object]) -> Tuple[int, int, int, int]:
    """(killed, survived, no tests, other: not checked, skipped, suspicious)."""
    killed = sum(code in KILLED for code in codes)
    survived = sum(code in SURVIVED for code in codes)
    no_tests = sum(code in NO_TESTS for code in codes)
    return killed, survived, no_tests, len(codes) - killed - survived - no_tests


def share(killed: int, counted: int) -> str:
    return f"{100 * killed / counted:5.1f} %" if counted else "    -  "


def report(show_survivors: bool) -> float:
    rows: List[Tuple[str, int, int, int, int]] = []
    survivors: List[str] = []
    for module in MODULES:
        codes = verdicts(module)
        rows.append((f"bot/{module}.py", *tally(list(codes.values()))))
        survivors += [name for name, code in codes.items() if code in SURVIVED or code in NO_TESTS]
    print(f"{'module':24} {'mutants':>8} {'killed':>7} {'survived':>9} {'no test':>8} {'other':>6}   killed share")
    total = [0, 0, 0, 0]
    for name, killed, survived, no_tests, other in rows:
        counted = killed + survived + no_tests
        print(f"{name:24} {counted + other:8} {killed:7} {survived:9} {no_tests:8} {other:6}   {share(killed, counted)}")
        total = [t + v for t, v in zip(total, (killed, survived, no_tests, other), strict=True)]
    counted = sum(total[:3])
    print(f"{'all':24} {counted + total[3]:8} {total[0]:7} {total[1]:9} {total[2]:8} {total[3]:6}   {share(total[0], counted)}")
    print("(share = killed / (killed + survived + no test); 'other' = not checked yet, skipped or suspicious)")
    if show_survivors:
        print("\n".join(["", "survivors (see one with: .venv/bin/mutmut show NAME):", *sorted(survivors)]))
    return total[0] / counted if counted else 0.0


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", action="store_true", help="print the last run's figures, do not run")
    parser.add_argument("--survivors", action="store_true", help="list the mutants that survived")
    parser.add_argument("--max-children", type=int, default=2, help="mutmut workers (the machine has 2 cores)")
    parser.add_argument("names", nargs="*", help="mutant name globs, e.g. 'bot.core.questionnaire*' (default: all)")
    args = parser.parse_args(list(argv))
    if not args.report:
        code = run_mutmut(args.max_children, args.names)
        if code != 0:
            return code
    killed = report(args.survivors)
    return 0 if killed >= BAR else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
