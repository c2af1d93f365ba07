"""The mild patient assistant, in four layers (one folder each):

- ``bot.core``: the clinical and product logic in plain, typed Python (questionnaire
  scoring and answer reading, the red-flag safety net, the knowledge catalog, clinic
  settings, language helpers, the names shared with ``domain.yml``). It imports
  nothing from Rasa, rasa-sdk, Sanic or SQLAlchemy (tests/test_layers.py).
- ``bot.storage``: consultation requests and retention, in SQL.
- ``bot.rasa_ext``: everything ``config.yml``, ``endpoints.yml`` and
  ``credentials.yml`` name (NLU components, policies, stores, response generator,
  channels). Thin: decisions are made by ``bot.core``.
- ``bot.app``: how it is started (staff command line, launcher, demo page, banner).

The action server's code is in ``actions/`` (rasa-sdk glue); the test and benchmark
harness in ``harness/`` (not installed). Nothing here does work at import time.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["PROJECT_ROOT"]
