"""``python -m bot``: the staff command line (bot/app/cli.py)."""

import sys

from bot.app.cli import main

sys.exit(main())
