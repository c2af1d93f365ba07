"""Load benchmark (`make bench-load`): mixed patient conversations at 10, 50 and 100 at once.

For each tracker store (SQLite, the one-machine default; PostgreSQL, the scaled-out
setup, on a throw-away local server) it starts the action server and one Rasa
server on loopback, then, for each concurrency level, keeps that many patients
talking for a bounded time: 70 % ask three questions, 30 % go through the whole
questionnaire and a consultation request (harness/scripted.py). It prints messages
per second, latency percentiles, errors (failed requests and conversations that
went off script) and the servers' memory.

Then the paced levels (issue #17): 50 and 100 patients who, like people typing, pause 5 s
after each reply before their next message (the first message of each comes at a random
moment of the first 5 s, so they do not all start at once); their p95 is the figure to
compare with the 300 ms target.

Options: --levels 10 50 100, --paced 50 100, --pause 5, --seconds 60 (per level),
--stores sqlite postgres, --skip-train (use the model in models/ as it is).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import pct, rss_mb, run_together  # noqa: E402  (bench/measure.py)

from harness.scripted import ScriptError, questionnaire_with_request, questions  # noqa: E402
from harness.services import Postgres  # noqa: E402
from harness.stack import Stack, auth_headers  # noqa: E402


class TimeUp(Exception):
    """The level's time is over: the conversation stops where it is."""


class Level:
    def __init__(self, stack: Stack, users: int, seconds: float, pause: float = 0.0) -> None:
        self.stack, self.users, self.seconds, self.pause = stack, users, seconds, pause
        self._paced = threading.local()  # per patient thread: whether its first message went
        self.latencies: List[float] = []
        self.errors: Counter = Counter()
        self.conversations = 0
        self.lock = threading.Lock()
        self.peak_rss = {"rasa": 0.0, "actions": 0.0}

    def send(self, sender: str, text: str) -> List[Dict[str, Any]]:
        if self.pause:
            wait = self.pause if getattr(self._paced, "started", False) else random.uniform(0, self.pause)
            self._paced.started = True
            if time.monotonic() + wait >= self.deadline:
                raise TimeUp
            time.sleep(wait)
        if time.monotonic() >= self.deadline:
            raise TimeUp
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(f"{self.stack.rasa_url}/webhooks/rest/webhook", data=body,
                                         method="POST", headers=auth_headers(self.stack.token))
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                reply = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            with self.lock:
                self.errors[type(error).__name__] += 1
            raise
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
        return reply

    def patient(self, n: int) -> None:
        rng = random.Random(n)
        count = 0
        while time.monotonic() < self.deadline:
            sender = f"load-{self.users}-{n}-{count}-{self.stack.rasa_port}"
            count += 1
            send = lambda text, s=sender: self.send(s, text)  # noqa: E731
            try:
                if rng.random() < 0.3:
                    questionnaire_with_request(send, "Maria Gomez", "maria@example.com", question=False)
                else:
                    questions(send, 3, start=rng.randrange(100))
            except TimeUp:
                return
            except ScriptError:
                with self.lock:
                    self.errors["off script"] += 1
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.5)  # counted in send()
                continue
            with self.lock:
                self.conversations += 1

    def watch_memory(self) -> None:
        while time.monotonic() < self.deadline:
            for name in self.peak_rss:
                self.peak_rss[name] = max(self.peak_rss[name], rss_mb(self.stack.pid(name)))
            time.sleep(1)

    def run(self) -> Dict[str, Any]:
        self.deadline = time.monotonic() + self.seconds
        threads = [threading.Thread(target=self.patient, args=(n,)) for n in range(self.users)]
        threads.append(threading.Thread(target=self.watch_memory))
        elapsed = run_together(threads)
        done = self.latencies or [float("nan")]
        return {
            "users": self.users, "messages": len(self.latencies), "per_s": len(self.latencies) / elapsed,
            "p50": pct(done, 0.5), "p95": pct(done, 0.95), "p99": pct(done, 0.99),
            "errors": sum(self.errors.values()), "kinds": dict(self.errors), "conversations": self.conversations,
            "rss_rasa": self.peak_rss["rasa"], "rss_actions": self.peak_rss["actions"],
        }


def run_store(store: str, levels: List[int], seconds: float, paced: List[int], pause: float) -> None:
    postgres = Postgres() if store == "postgres" else None
    with tempfile.TemporaryDirectory() as work:
        stack = Stack(workdir=Path(work), database_url=postgres.start().url() if postgres else None)
        try:
            stack.start()
            stack.send("warm-up", "what is mild?")
            print(f"\n## {store} ({'PostgreSQL 15, local' if postgres else 'SQLite file'}), "
                  f"{seconds:.0f} s per level")
            print("| patients at once | pause s | messages/s | p50 ms | p95 ms | p99 ms | errors "
                  "| conversations done | peak RSS Rasa / actions MB |")
            print("|---|---|---|---|---|---|---|---|---|")
            for users, wait in [*((n, 0.0) for n in levels), *((n, pause) for n in paced)]:
                r = Level(stack, users, seconds, wait).run()
                kinds = f" ({', '.join(f'{k}: {v}' for k, v in r['kinds'].items())})" if r["kinds"] else ""
                print(f"| {users} | {wait:g} | {r['per_s']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
                      f"| {r['errors']}{kinds} | {r['conversations']} | {r['rss_rasa']:.0f} / {r['rss_actions']:.0f} |",
                      flush=True)
        finally:
            stack.stop()
            if postgres:
                postgres.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--paced", type=int, nargs="*", default=[50, 100],
                        help="levels of patients who pause --pause seconds after each reply")
    parser.add_argument("--pause", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0, help="per level")
    parser.add_argument("--skip-train", action="store_true", help="use the model in models/ as it is")
    parser.add_argument("--stores", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    args = parser.parse_args()
    if not args.skip_train:
        subprocess.run([str(ROOT / "scripts" / "train.sh")], cwd=ROOT, check=True, capture_output=True)
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"# mild assistant load benchmark, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {cores} cores, "
          f"one Rasa server + one action server on loopback, Python {platform.python_version()}")
    for store in args.stores:
        run_store(store, args.levels, args.seconds, args.paced, args.pause)
    return 0


if __name__ == "__main__":
    sys.exit(main())
