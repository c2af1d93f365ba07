"""Benchmark: accuracy on the validation set, latency, throughput, start time, training time, memory.

Run with `make bench`. Everything runs on loopback against servers this script
starts itself; every request loop is bounded. Prints a table of figures.
Options: --skip-train (do not time a fresh training run), --messages N.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import pct, rss_mb, run_together  # noqa: E402  (bench/measure.py)
from nlu_report import curve, validation_cases  # noqa: E402  (bench/nlu_report.py)

from harness.nlu_scoring import Score  # noqa: E402
from harness.stack import Stack, payload_values  # noqa: E402

VALIDATION = yaml.safe_load((ROOT / "tests" / "data" / "validation.yml").read_text(encoding="utf-8"))
QUESTIONS = [q for qs in VALIDATION["topics"].values() for q in qs]


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def accuracy(stack: Stack) -> Dict[str, object]:
    score = Score()
    for topic, questions in VALIDATION["topics"].items():
        for i, q in enumerate(questions):
            score.add_topic(topic, stack.send(f"acc-{topic}-{i}", q))
    for i, q in enumerate(VALIDATION["no_topic"]):
        score.add_no_topic(stack.send(f"safe-{i}", q))
    alerts = [(k, t) for k in ("emergency", "crisis") for t in VALIDATION["alerts"][k]]
    recalled = sum(payload_values(stack.send(f"alert-{i}", t), "alert") == [k] for i, (k, t) in enumerate(alerts))
    false_alarms = sum(
        bool(payload_values(stack.send(f"look-{i}", t), "alert")) for i, t in enumerate(VALIDATION["look_alikes"])
    )
    return {
        "score": score,
        "alert_recall": f"{recalled}/{len(alerts)}",
        "false_alarms": f"{false_alarms}/{len(VALIDATION['look_alikes'])}",
    }


def concurrent(stack: Stack, conversations: int, per_conversation: int) -> Dict[str, float]:
    latencies: List[float] = []
    errors = Counter()
    lock = threading.Lock()

    def run(n: int) -> None:
        for i in range(per_conversation):
            text = QUESTIONS[(n * per_conversation + i) % len(QUESTIONS)]
            try:
                ms = timed(lambda t=text: stack.send(f"load-{conversations}-{n}", t, timeout=60))
            except Exception as exc:  # noqa: BLE001 - counted, reported
                with lock:
                    errors[type(exc).__name__] += 1
                continue
            with lock:
                latencies.append(ms)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(conversations)]
    elapsed = run_together(threads)
    return {
        "median_ms": statistics.median(latencies) if latencies else float("nan"),
        "p95_ms": pct(latencies, 0.95) if latencies else float("nan"),
        "throughput": len(latencies) / elapsed,
        "errors": sum(errors.values()),
    }


def under_flood(stack: Stack, floods: int, normal_messages: int) -> Dict[str, float]:
    """A normal patient's reply times while ``floods`` others each keep sending 1 MB messages.

    The server answers a 1 MB message with the too-long reply without classifying or
    storing it (bot/rasa_ext/channels/limits.py); this shows what those messages cost everyone else.
    """
    huge = ("my back hurts when I walk " * 45_000)[: 1024 * 1024]
    stop = threading.Event()
    sent = Counter()
    lock = threading.Lock()

    def flood(n: int) -> None:
        while not stop.is_set():
            try:
                stack.send(f"flood-{n}", huge, timeout=60)
                outcome = "ok"
            except Exception:  # noqa: BLE001 - counted
                outcome = "error"
            with lock:
                sent[outcome] += 1

    def patient(tag: str) -> List[float]:
        return [timed(lambda i=i: stack.send(f"normal-{tag}", QUESTIONS[i % len(QUESTIONS)]))
                for i in range(normal_messages)]

    alone = patient("alone")
    threads = [threading.Thread(target=flood, args=(n,)) for n in range(floods)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)  # the floods are under way
        flooded = patient("flooded")
    finally:
        stop.set()
        for t in threads:
            t.join()
    return {
        "alone_median": statistics.median(alone), "alone_p95": pct(alone, 0.95),
        "median": statistics.median(flooded), "p95": pct(flooded, 0.95),
        "huge_sent": sent["ok"], "huge_errors": sent["error"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--messages", type=int, default=150, help="sequential messages")
    args = parser.parse_args()

    print(f"# mild assistant benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, "
          f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, "
          f"Python {platform.python_version()}")

    if not args.skip_train:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run([str(ROOT / ".venv" / "bin" / "rasa"), "train", "--force", "--quiet", "--out", out],
                           cwd=ROOT, check=True, capture_output=True)
            print(f"training time: {time.perf_counter() - started:.0f} s")
    subprocess.run([str(ROOT / "scripts" / "train.sh")], cwd=ROOT, check=True, capture_output=True)

    with tempfile.TemporaryDirectory() as work:
        stack = Stack(workdir=Path(work))
        stack.start_actions()
        ready = stack.start_rasa()
        print(f"server start (process start to answering): {ready:.1f} s")
        try:
            for _ in range(5):  # warm-up
                stack.send("warmup", "what is mild?")
            acc = accuracy(stack)
            score: Score = acc["score"]  # type: ignore[assignment]
            print(f"validation set through REST: {score.summary()}")
            print("per topic (right topic, a clarifying question that offers it, a wrong topic):")
            print("\n".join(f"  {line}" for line in score.per_topic()))
            print(f"alert recall: {acc['alert_recall']}, false alarms on look-alikes: {acc['false_alarms']}")
            cases = validation_cases()
            parses = [stack.parse(text) for _, text in cases]
            print("accuracy versus safety over the answer threshold (validation set):")
            print("\n".join(f"  {line}" for line in curve(cases, parses)))

            questions = (QUESTIONS * (args.messages // len(QUESTIONS) + 1))[: args.messages]
            parse = [timed(lambda q=q: stack.parse(q)) for q in questions]
            # conversations of 10 messages, as patients have them (a tracker grows with every turn)
            rest = [timed(lambda i=i, q=q: stack.send(f"seq-{i // 10}", q)) for i, q in enumerate(questions)]
            print(f"bare /model/parse: median {statistics.median(parse):.1f} ms, p95 {pct(parse, 0.95):.1f} ms")
            print(f"REST sequential: median {statistics.median(rest):.1f} ms, p95 {pct(rest, 0.95):.1f} ms, "
                  f"{statistics.median(rest) / statistics.median(parse):.2f}x parse")
            for conversations, per in ((10, 20), (50, 6)):
                result = concurrent(stack, conversations, per)
                print(f"REST {conversations} concurrent conversations x {per} messages: "
                      f"median {result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, "
                      f"{result['throughput']:.1f} msg/s, errors {result['errors']}")
            floods = 4
            flood = under_flood(stack, floods, normal_messages=40)
            print(f"a normal patient alone: median {flood['alone_median']:.0f} ms, p95 {flood['alone_p95']:.0f} ms; "
                  f"while {floods} others send 1 MB messages: median {flood['median']:.0f} ms, "
                  f"p95 {flood['p95']:.0f} ms ({flood['huge_sent']:.0f} 1 MB messages answered, "
                  f"{flood['huge_errors']:.0f} errors)")
            print(f"RSS: Rasa server {rss_mb(stack.pid('rasa')):.0f} MB, "
                  f"action server {rss_mb(stack.pid('actions')):.0f} MB")
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
