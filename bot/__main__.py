"""Command line for clinic staff and the scripts: ``python -m bot --help``."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot.knowledge import get_catalog
from bot.settings import SettingsError, load_settings


def _check_settings(_: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Clinic settings are not valid, so the assistant will not start.\n{exc}", file=sys.stderr)
        return 2
    print(f"Clinic settings OK: {settings.name}, phone {settings.phone}, booking {settings.booking_link}")
    return 0


def _topics(_: argparse.Namespace) -> int:
    catalog = get_catalog()
    for topic in catalog.topics:
        print(f"{topic.id:28} {topic.question}  [{', '.join(topic.sources)}]")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check-settings", help="validate the clinic settings").set_defaults(func=_check_settings)
    sub.add_parser("topics", help="list the knowledge topics and their sources").set_defaults(func=_topics)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
