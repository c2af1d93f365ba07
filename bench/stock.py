"""Throughput side by side with a stock Rasa bot (issue #17): the same questions, 10 conversations at once.

The stock bot is ``rasa init --no-prompt`` (Rasa's moodbot: its default pipeline and policies,
the in-memory tracker store, no action server), made once in ``var/bench/stock`` and trained
there; later runs reuse it (``rasa train`` keeps the model when its data is unchanged). Both
bots are served in turn on loopback by this script, each warmed up, then sent the same
knowledge questions of the validation set by ``--conversations`` patients at once (10 by
default) of ``--messages`` messages each; it prints each bot's messages per second, median and
p95, and the ratio. This bot runs as in production (SQLite tracker store, action server).
Run with ``make bench`` (after the other figures) or ``python bench/stock.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from measure import pct  # noqa: E402  (bench/measure.py)

from harness.stack import Stack, free_port, http_json  # noqa: E402

STOCK = ROOT / "var" / "bench" / "stock"
VALIDATION = yaml.safe_load((ROOT / "tests" / "data" / "validation.yml").read_text(encoding="utf-8"))
QUESTIONS = [q for qs in VALIDATION["topics"].values() for q in qs]  # as bench/bench.py sends them
RASA = ROOT / ".venv" / "bin" / "rasa"
Send = Callable[[str, str], object]


def stock_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
    return env


def stock_bot() -> Path:
    """The stock bot's folder, made and trained once; ``rasa train`` is a no-op while its data is unchanged."""
    if not (STOCK / "domain.yml").exists():
        STOCK.mkdir(parents=True, exist_ok=True)
        print(f"making the stock bot (rasa init --no-prompt) in {STOCK.relative_to(ROOT)} ...", flush=True)
        subprocess.run([str(RASA), "init", "--no-prompt", "--init-dir", str(STOCK)], cwd=STOCK,
                       env=stock_env(), check=True, capture_output=True)
    subprocess.run([str(RASA), "train", "--quiet", "--out", "models"], cwd=STOCK, env=stock_env(),
                   check=True, capture_output=True)
    return STOCK


class StockServer:
    """``rasa run`` on the stock bot, REST without a token, on a free loopback port."""

    def __init__(self, folder: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "ab")
        self._proc = subprocess.Popen(
            [str(RASA), "run", "-m", "models", "--enable-api", "--interface", "127.0.0.1", "--port", str(self.port)],
            cwd=folder, env=stock_env(), stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"the stock bot exited ({self._proc.returncode}); see {log}")
            try:
                http_json("GET", f"{self.url}/status", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def send(self, sender: str, text: str) -> object:
        return http_json("POST", f"{self.url}/webhooks/rest/webhook", {"sender": sender, "message": text}, timeout=60)

    def stop(self) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._log.close()


def throughput(send: Send, tag: str, conversations: int, messages: int) -> Dict[str, float]:
    """``conversations`` patients at once, each sending ``messages`` questions one after another."""
    latencies: List[float] = []
    errors: Counter = Counter()
    lock = threading.Lock()

    def patient(n: int) -> None:
        for i in range(messages):
            text = QUESTIONS[(n * messages + i) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                send(f"{tag}-{n}", text)
            except Exception as exc:  # noqa: BLE001 - counted, reported
                with lock:
                    errors[type(exc).__name__] += 1
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    for i in range(5):  # warm-up
        send(f"{tag}-warmup", QUESTIONS[i])
    threads = [threading.Thread(target=patient, args=(n,)) for n in range(conversations)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"per_second": len(latencies) / elapsed, "median": statistics.median(latencies) if latencies else 0.0,
            "p95": pct(latencies, 0.95) if latencies else 0.0, "errors": float(sum(errors.values()))}


def line(name: str, figures: Dict[str, float]) -> str:
    return (f"  {name:22} {figures['per_second']:6.1f} msg/s, median {figures['median']:5.0f} ms, "
            f"p95 {figures['p95']:5.0f} ms, errors {figures['errors']:.0f}")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20, help="messages per conversation")
    args = parser.parse_args(argv)
    folder = stock_bot()
    with tempfile.TemporaryDirectory(prefix="mild-stock-") as work:
        stock = StockServer(folder, Path(work) / "stock.log")
        try:
            theirs = throughput(stock.send, "stock", args.conversations, args.messages)
        finally:
            stock.stop()
        stack = Stack(workdir=Path(work))
        try:
            stack.start()
            ours = throughput(lambda sender, text: stack.send(sender, text, timeout=60), "mild",
                              args.conversations, args.messages)
        finally:
            stack.stop()
    print(f"throughput, {args.conversations} conversations at once x {args.messages} knowledge questions, "
          "each bot served alone in turn:")
    print(line("this assistant", ours))
    print(line("stock `rasa init` bot", theirs))
    print(f"  ratio (this / stock): {ours['per_second'] / theirs['per_second']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
