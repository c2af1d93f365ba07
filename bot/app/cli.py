"""Command line for clinic staff and the scripts: ``python -m bot --help``."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from typing import List, Optional

from bot.core.knowledge import get_catalog
from bot.core.settings import SettingsError, load_settings


def _days(text: str) -> int:
    days = int(text)
    if days < 0:
        raise argparse.ArgumentTypeError("must be 0 or more days")
    return days


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


EXPORT_FIELDS = ["reference", "created_at", "name", "contact_kind", "contact", "preferred_time", "outcome", "answers"]


def _requests_list(args: argparse.Namespace) -> int:
    from bot.storage.requests import get_store

    store = get_store(args.database_url)
    rows = list(store.all())
    for request in rows:
        print(f"{request.reference}  {request.created_at:%Y-%m-%d %H:%M}  {request.outcome or '-':20} "
              f"{request.name}  {request.contact_kind}: {request.contact}  ({request.preferred_time})")
    waiting = len(store.pending())
    print(f"{len(rows)} request(s)" + (f"; {waiting} waiting in the spool (run: requests retry)" if waiting else ""))
    return 0


def _requests_export(args: argparse.Namespace) -> int:
    import json

    from bot.storage.requests import csv_safe, get_store, open_private

    count = 0
    # owner-only (0600), and no cell a spreadsheet would run as a formula
    with open_private(args.csv) as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for request in get_store(args.database_url).all():
            row = request.dict()
            row["created_at"] = request.created_at.isoformat()
            row["answers"] = json.dumps(request.answers, sort_keys=True)
            writer.writerow({k: csv_safe(row[k]) for k in EXPORT_FIELDS})
            count += 1
    print(f"Exported {count} request(s) to {args.csv}")
    return 0


def _requests_retry(args: argparse.Namespace) -> int:
    from bot.storage.requests import get_store

    sent = get_store(args.database_url).retry_pending()
    print(f"Sent {sent} waiting request(s) to the database")
    return 0


def _requests_purge(args: argparse.Namespace) -> int:
    from bot.storage.requests import get_store

    removed = get_store(args.database_url).delete_older_than(args.older_than_days)
    print(f"Deleted {removed} request(s) older than {args.older_than_days} days")
    return 0


def _conversations_url(args: argparse.Namespace) -> Optional[str]:
    """The conversations' database (Rasa's tracker store), or None after saying what to set."""
    url = args.database_url or os.environ.get("DATABASE_URL")
    if not url:
        print("Set DATABASE_URL (or --database-url): the conversations' database", file=sys.stderr)
    return url


def _purge(args: argparse.Namespace) -> int:
    from bot.storage.requests import get_store
    from bot.storage.retention import delete_conversations_idle_for

    url = _conversations_url(args)
    if not url:
        return 2
    conversations, events = delete_conversations_idle_for(url, args.older_than_days)
    requests = get_store(args.requests_database_url).delete_older_than(args.older_than_days)
    print(f"Deleted {conversations} conversation(s) ({events} events) with nothing newer than "
          f"{args.older_than_days} days, and {requests} consultation request(s) older than that")
    return 0


def _forget(args: argparse.Namespace) -> int:
    from bot.storage.requests import get_store
    from bot.storage.retention import delete_conversation

    url = _conversations_url(args)
    if not url:
        return 2
    events = delete_conversation(url, args.conversation_id)
    requests = get_store(args.requests_database_url).delete_conversation(args.conversation_id)
    print(f"Deleted {events} event(s) and {requests} consultation request(s) of that conversation")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check-settings", help="validate the clinic settings").set_defaults(func=_check_settings)
    sub.add_parser("topics", help="list the knowledge topics and their sources").set_defaults(func=_topics)
    requests = sub.add_parser("requests", help="consultation requests (staff)")
    requests.add_argument("--database-url", help="default: REQUESTS_DATABASE_URL or DATABASE_URL")
    rsub = requests.add_subparsers(dest="action", required=True)
    rsub.add_parser("list", help="list stored requests").set_defaults(func=_requests_list)
    export = rsub.add_parser("export", help="export stored requests as CSV")
    export.add_argument("--csv", required=True, metavar="FILE")
    export.set_defaults(func=_requests_export)
    rsub.add_parser("retry", help="send requests kept while the database was down").set_defaults(func=_requests_retry)
    purge = rsub.add_parser("purge", help="delete requests older than N days (retention)")
    purge.add_argument("--older-than-days", type=_days, required=True, metavar="N")
    purge.set_defaults(func=_requests_purge)

    def databases(command: argparse.ArgumentParser) -> None:
        command.add_argument("--database-url", help="conversations (Rasa's tracker store); default: DATABASE_URL")
        command.add_argument("--requests-database-url",
                             help="consultation requests; default: REQUESTS_DATABASE_URL or DATABASE_URL")

    retention = sub.add_parser("purge", help="retention: delete conversations and requests older than N days")
    retention.add_argument("--older-than-days", type=_days, required=True, metavar="N")
    databases(retention)
    retention.set_defaults(func=_purge)
    forget = sub.add_parser("forget", help="delete one conversation and its requests (a patient's request)")
    forget.add_argument("conversation_id", help="the conversation (sender) id")
    databases(forget)
    forget.set_defaults(func=_forget)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    previous = os.umask(0o077)  # databases and files made here: readable by their owner only
    try:
        return int(args.func(args))
    finally:
        os.umask(previous)


if __name__ == "__main__":
    sys.exit(main())
