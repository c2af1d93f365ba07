"""Clinical and product logic of the mild patient assistant.

Everything here is plain, typed Python: the knowledge catalog, the clinic
settings, the red-flag safety net and the command line. Rasa glue lives in
``bot.rasa_components`` / ``bot.nlg`` (loaded by Rasa through ``config.yml``
and ``endpoints.yml``) and in the ``actions`` package; nothing here does work
at import time.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

__all__ = ["PROJECT_ROOT", "PACKAGE_DIR"]
