"""The server and the shell run NumPy's BLAS and TensorFlow on one thread each (bot/app/threads.py).

Each case runs in a new Python process: the variables only work when set before NumPy and
TensorFlow load, and this test process has loaded them long ago.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Dict

import pytest

from bot import PROJECT_ROOT
from bot.app import threads

# at the point where the launcher and the shell start loading libraries (quiet.install), report what
# NumPy's OpenBLAS was given and what the environment says, then stop before Rasa starts
PROBE = """
import json, os, sys
from bot.app import launch, quiet
loaded_before = sorted(m for m in ("numpy", "tensorflow", "scipy") if m in sys.modules)
def report():
    import numpy, threadpoolctl
    blas = [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["internal_api"] == "openblas"]
    names = {names}
    print(json.dumps({{"before": loaded_before, "blas": blas, "env": {{n: os.environ.get(n) for n in names}}}}))
    sys.exit(0)
quiet.install = report
if sys.argv[1] == "launch":
    launch.main(sys.argv[2:])
else:
    sys.argv = ["quiet"] + sys.argv[2:]
    quiet.main()
"""


def probe(entry: str, command: str, **env: str) -> Dict:
    environ = {k: v for k, v in os.environ.items() if k not in threads.ONE_THREAD_EACH}
    environ.update(env)
    code = PROBE.format(names=json.dumps(sorted(threads.ONE_THREAD_EACH)))
    result = subprocess.run([sys.executable, "-c", code, entry, command], cwd=PROJECT_ROOT, env=environ,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("entry,command", [("launch", "run"), ("quiet", "shell")])
def test_the_server_and_the_shell_set_one_thread_each_before_the_libraries_load(entry: str, command: str) -> None:
    seen = probe(entry, command)
    assert seen["before"] == []
    assert seen["env"] == threads.ONE_THREAD_EACH
    assert seen["blas"] and set(seen["blas"]) == {1}


def cpus() -> int:
    """The CPUs this process may use, as OpenBLAS counts them (at most 64 in NumPy's build)."""
    return min(len(os.sched_getaffinity(0)), 64)


@pytest.mark.skipif(cpus() == 1, reason="one CPU: OpenBLAS's default is one thread too")
def test_training_keeps_the_libraries_defaults() -> None:
    seen = probe("quiet", "train")
    assert seen["env"] == {name: None for name in threads.ONE_THREAD_EACH}
    assert seen["blas"] and set(seen["blas"]) == {cpus()}


def test_what_the_environment_says_wins() -> None:
    seen = probe("launch", "run", OPENBLAS_NUM_THREADS="2", TF_ENABLE_ONEDNN_OPTS="1")
    assert seen["env"] == {**threads.ONE_THREAD_EACH, "OPENBLAS_NUM_THREADS": "2", "TF_ENABLE_ONEDNN_OPTS": "1"}
    assert set(seen["blas"]) == {min(2, cpus())}


def test_only_the_commands_that_serve_conversations() -> None:
    assert [threads.serving(argv) for argv in (["run", "-m", "models"], ["shell"], ["train"], ["test"], [])] == [
        True, True, False, False, False]
    environ = {"OPENBLAS_NUM_THREADS": "4", "TF_ENABLE_ONEDNN_OPTS": ""}
    assert threads.one_thread_each(environ) == {k: v for k, v in threads.ONE_THREAD_EACH.items()
                                                if k != "OPENBLAS_NUM_THREADS"}
    assert environ == {**threads.ONE_THREAD_EACH, "OPENBLAS_NUM_THREADS": "4"}  # an empty value is unset
    assert threads.for_command(["train"], {}) == {} and threads.for_command(["shell"], {}) == threads.ONE_THREAD_EACH
