"""``rasa`` without the known harmless library warnings: ``python -m bot.app.quiet <rasa args>``.

scripts/run.sh and scripts/train.sh start Rasa through this. It adds the
warnings below to Rasa's own list of expected warnings
(``rasa.utils.common.EXPECTED_WARNINGS``), which Rasa ignores unless the log level
is DEBUG, and ignores them from the start too. So ``LOG_LEVEL=debug`` shows
everything again; any other warning, and every error, still shows.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import List, Tuple, Type

from bot.app import threads

# (category, regular expression its message matches); each is harmless here
KNOWN_HARMLESS: List[Tuple[Type[Warning], str]] = [
    # a response that only a form or a custom action uses (RasaHQ/rasa#11843;
    # tests/test_catalog.py keeps the validator strict about every other warning)
    (UserWarning, r"The utterance '[a-z0-9_]+' is not used in any story or rule\."),
    # matplotlib (imported by Rasa) still calls pyparsing's camelCase names
    (DeprecationWarning, r"'[a-zA-Z]+' deprecated - use '[a-z_]+'"),
    (DeprecationWarning, r"Deprecated call to `pkg_resources\.declare_namespace"),
    (DeprecationWarning, r"pkg_resources is deprecated as an API"),
    # TensorFlow's lite module imports jax's old API; sanic-cors (Rasa's) uses distutils
    (DeprecationWarning, r"jax\.xla_computation is deprecated"),
    (DeprecationWarning, r"distutils Version classes are deprecated"),
    # Rasa 3.6 pins SQLAlchemy < 2 and uses its 1.x API on purpose
    (DeprecationWarning, r"The (?:'|`)?[a-zA-Z_.()]+(?:'|`)? (?:method|function) is considered legacy"),
]


def debugging() -> bool:
    return os.environ.get("LOG_LEVEL", "").strip().upper() == "DEBUG"


def _ignore_known() -> None:
    for category, message in KNOWN_HARMLESS:
        warnings.filterwarnings("ignore", message=message, category=category)


def install() -> None:
    """Register the filters (at once, and in Rasa's list for when it sets its own up)."""
    if debugging():
        return
    # filters first: importing Rasa itself emits several of these warnings
    _ignore_known()
    import sanic.app  # noqa: F401
    from rasa.utils import common

    # again: importing sanic.app puts its own "once" filter for every DeprecationWarning in
    # front of all filters, and the server imports the rest (sanic-cors, apscheduler) later
    _ignore_known()

    for category, message in KNOWN_HARMLESS:
        if (category, message) not in common.EXPECTED_WARNINGS:
            common.EXPECTED_WARNINGS.append((category, message))


def main() -> None:
    threads.for_command(sys.argv[1:], os.environ)  # before NumPy and TensorFlow load (bot/app/threads.py)
    install()
    from rasa.__main__ import main as rasa_main

    from bot.rasa_ext import runtime

    runtime.install()  # what this project changes in Rasa, each with its reasons (bot/rasa_ext/runtime.py)

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
