"""Throughput side by side with a stock Rasa bot (issue #17): the same questions, 10 conversations at once.

The stock bot is ``rasa init --no-prompt`` (Rasa's moodbot: its default pipeline and policies,
the in-memory tracker store, no action server), made once in ``var/bench/stock`` and trained
there; later runs reuse its model while a hash of its config, domain and data is unchanged.
Both bots are served on loopback by this script and warmed up; then, ``--rounds`` times (3 by
default), each in turn and never both at once, is sent the same knowledge questions of the
validation set by ``--conversations`` patients at once (10 by default) of ``--messages``
messages each. Alternating rounds keep a machine shared with other work from favouring one
bot. It prints each round's messages per second, median and p95, and the ratio of the two
bots' median rounds. This bot runs as in production (SQLite tracker store, action server).

With ``--two-processes`` (on in ``make bench``), each round also serves this bot from two Rasa
processes on one port (``SANIC_WORKERS=2`` with the SQLite lock store, README "Deployment"), a
setting for clinics whose web clients use WebSocket only: it prints that ratio on its own line.
The default, one process, is the figure the issue's target is checked against.
Run with ``make bench`` (after the other figures) or ``python bench/stock.py``.
"""

from __future__ import annotations

import argparse
import hashlib
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
from measure import pct, run_together  # noqa: E402  (bench/measure.py)

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


def data_fingerprint(folder: Path) -> str:
    """A hash of what the stock bot is trained from (config, domain, data)."""
    digest = hashlib.sha256()
    files = [folder / "config.yml", folder / "domain.yml", *sorted((folder / "data").rglob("*.yml"))]
    for path in files:
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stock_bot() -> Path:
    """The stock bot's folder, made and trained once, and trained again only when its data changed.

    (``rasa train`` would reuse its cached components but still write a new model each time.)
    """
    if not (STOCK / "domain.yml").exists():
        STOCK.mkdir(parents=True, exist_ok=True)
        print(f"making the stock bot (rasa init --no-prompt) in {STOCK.relative_to(ROOT)} ...", flush=True)
        subprocess.run([str(RASA), "init", "--no-prompt", "--init-dir", str(STOCK)], cwd=STOCK,
                       env=stock_env(), check=True, capture_output=True)
    stamp = STOCK / "models" / "trained-from.sha256"
    fingerprint = data_fingerprint(STOCK)
    models = list((STOCK / "models").glob("*.tar.gz"))
    if not models or not stamp.exists() or stamp.read_text().strip() != fingerprint:
        subprocess.run([str(RASA), "train", "--quiet", "--out", "models"], cwd=STOCK, env=stock_env(),
                       check=True, capture_output=True)
        # taken after training: Rasa writes the default pipeline it chose into config.yml
        # (as comments), so the fingerprint taken before would never match again
        stamp.write_text(data_fingerprint(STOCK) + "\n")
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
    elapsed = run_together(threads)
    return {"per_second": len(latencies) / elapsed, "median": statistics.median(latencies) if latencies else 0.0,
            "p95": pct(latencies, 0.95) if latencies else 0.0, "errors": float(sum(errors.values()))}


def line(name: str, figures: Dict[str, float]) -> str:
    return (f"  {name:20} {figures['per_second']:6.1f} msg/s, median {figures['median']:5.0f} ms, "
            f"p95 {figures['p95']:5.0f} ms, errors {figures['errors']:.0f}")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--messages", type=int, default=20, help="messages per conversation")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--two-processes", action="store_true",
                        help="also serve this bot from two Rasa processes (SANIC_WORKERS=2) in each round")
    args = parser.parse_args(argv)
    folder = stock_bot()
    ours: List[Dict[str, float]] = []
    twos: List[Dict[str, float]] = []
    theirs: List[Dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="mild-stock-") as work:
        stacks = [Stack(workdir=Path(work) / "one")]
        if args.two_processes:
            stacks.append(Stack(workdir=Path(work) / "two", extra_env={
                "SANIC_WORKERS": "2", "LOCK_STORE_URL": f"sqlite:///{Path(work) / 'locks.db'}"}))
        stock = None
        try:
            for stack in stacks:  # one at a time: each loads its model with the machine to itself
                stack.start()
            stock = StockServer(folder, Path(work) / "stock.log")
            for round_ in range(args.rounds):
                theirs.append(throughput(stock.send, f"stock{round_}", args.conversations, args.messages))
                for index, (stack, figures) in enumerate(zip(stacks, (ours, twos), strict=False)):
                    figures.append(throughput(lambda sender, text, s=stack: s.send(sender, text, timeout=60),
                                              f"mild{index + 1}-{round_}", args.conversations, args.messages))
        finally:
            if stock is not None:
                stock.stop()
            for stack in stacks:
                stack.stop()
    print(f"throughput, {args.conversations} conversations at once x {args.messages} knowledge questions, "
          f"{args.rounds} alternating rounds:")
    for round_, (mine, stocks) in enumerate(zip(ours, theirs, strict=True), 1):
        print(line(f"round {round_}: this", mine))
        if twos:
            print(line(f"round {round_}: this, 2 pr.", twos[round_ - 1]))
        print(line(f"round {round_}: stock", stocks))
    mine_median = statistics.median(r["per_second"] for r in ours)
    stock_median = statistics.median(r["per_second"] for r in theirs)
    print(f"  median round: this assistant {mine_median:.1f} msg/s, stock `rasa init` bot {stock_median:.1f} msg/s; "
          f"ratio {mine_median / stock_median:.2f}x")
    if twos:
        two_median = statistics.median(r["per_second"] for r in twos)
        print(f"  this assistant from two Rasa processes (SANIC_WORKERS=2, not the default): {two_median:.1f} msg/s; "
              f"ratio {two_median / stock_median:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
