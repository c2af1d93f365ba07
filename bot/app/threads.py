"""One thread each for the numeric libraries of the Rasa server and shell (issue #17).

Set in the environment before NumPy and TensorFlow load (they read it then), and only where the
environment does not say otherwise. Measured on this 2-core machine, 10 conversations at once
(README, "Throughput beside a stock Rasa bot"):

- ``OPENBLAS_NUM_THREADS=1``: NumPy's OpenBLAS kept a second thread that spun (``sched_yield``)
  after each of the small products of the nearest-example search, 19 ms of CPU a message for
  nothing: the server's CPU per message fell from 52 to 30 ms with this alone.
- ``TF_NUM_INTRAOP_THREADS=1``, ``TF_NUM_INTEROP_THREADS=1``, ``TF_ENABLE_ONEDNN_OPTS=0``: the
  sentence encoder took 7.4 ms (9.9 ms of CPU) a short message with TensorFlow's defaults, and
  5.1 ms (5.1 ms of CPU) so. Splitting so small a model call over threads costs more than it
  saves; the second core serves another message meanwhile (the second NLU thread and the event
  loop, ``bot/rasa_ext/nlu_thread.py``). Two TensorFlow threads between operations
  (``TF_NUM_INTEROP_THREADS=2``) with two NLU threads were measured too: no faster (47 against
  49 messages a second).

Training keeps the libraries' defaults (``scripts/train.sh`` is a process of its own): the same
data trains the same model. Rasa's ``POST /model/train`` would train inside the server, so with
these settings; the project always trains with ``scripts/train.sh``.
"""

from __future__ import annotations

from typing import Dict, List, MutableMapping

ONE_THREAD_EACH: Dict[str, str] = {
    "OPENBLAS_NUM_THREADS": "1",
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "TF_ENABLE_ONEDNN_OPTS": "0",
}
SERVING_COMMANDS = ("run", "shell")


def serving(argv: List[str]) -> bool:
    """Whether these ``rasa`` arguments serve conversations (``run``, ``shell``), not train or test."""
    return bool(argv) and argv[0] in SERVING_COMMANDS


def for_command(argv: List[str], environ: MutableMapping[str, str]) -> Dict[str, str]:
    """The launcher's and the shell's one call, before NumPy and TensorFlow load: the settings for a
    command that serves conversations, none for the others; returns the ones set here."""
    return one_thread_each(environ) if serving(argv) else {}


def one_thread_each(environ: MutableMapping[str, str]) -> Dict[str, str]:
    """Set the variables the environment does not set (or sets empty); returns the ones set here."""
    added = {name: value for name, value in ONE_THREAD_EACH.items() if not environ.get(name)}
    environ.update(added)
    return added
