"""Durable storage of consultation requests (SQLAlchemy; SQLite by default, PostgreSQL by URL).

Only requests the patient consented to are stored. The database URL is
``REQUESTS_DATABASE_URL``, else ``DATABASE_URL`` (the tracker store's), else a
SQLite file in ``var/``. When the database cannot be reached, the request is
kept in a local spool file (owner-only permissions) and sent on the next
successful store or by ``python -m bot requests retry``: nothing is lost
silently. Names, phone numbers and e-mails are never logged.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Union

import sqlalchemy as sa
from pydantic import BaseModel, Field

from bot import PROJECT_ROOT

logger = logging.getLogger(__name__)

DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'requests.db'}"
SPOOL_ENV = "REQUESTS_SPOOL_FILE"
DEFAULT_SPOOL = PROJECT_ROOT / "var" / "pending_requests.jsonl"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out on the phone

metadata = sa.MetaData()
requests_table = sa.Table(
    "consultation_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("conversation_id", sa.String(255), nullable=True, index=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("contact", sa.String(254), nullable=False),
    sa.Column("contact_kind", sa.String(8), nullable=False),
    sa.Column("preferred_time", sa.String(200), nullable=False),
    sa.Column("outcome", sa.String(32), nullable=True),
    sa.Column("answers", sa.Text, nullable=False),
)


class StoreUnavailable(Exception):
    """The database could not be reached; the message says nothing personal."""


class ConsultationRequest(BaseModel):
    reference: str = Field(default_factory=lambda: new_reference())
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    conversation_id: Optional[str] = None
    name: str
    contact: str
    contact_kind: str  # "phone", "email" or "both" (contact is then "number, address")
    preferred_time: str
    outcome: Optional[str] = None
    answers: Dict[str, Any] = Field(default_factory=dict)

    def row(self) -> Dict[str, Any]:
        data = self.dict()
        data["answers"] = json.dumps(self.answers, sort_keys=True)
        return data

    @classmethod
    def from_row(cls, row: Any) -> ConsultationRequest:
        data = dict(row._mapping)
        data.pop("id", None)
        data["answers"] = json.loads(data["answers"] or "{}")
        created = data["created_at"]
        if created.tzinfo is None:  # SQLite drops the zone; we always store UTC
            data["created_at"] = created.replace(tzinfo=timezone.utc)
        return cls(**data)


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """A cell for the staff export: text that could start a formula gets a leading ' (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def open_private(path: Union[str, Path], mode: str = "w") -> IO[str]:
    """Open a file for writing that only its owner can read (0600), also when it already existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode, newline="", encoding="utf-8")


def new_reference() -> str:
    return "MILD-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def database_url(environ: Optional[Dict[str, str]] = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("REQUESTS_DATABASE_URL") or env.get("DATABASE_URL") or DEFAULT_URL


class RequestStore:
    def __init__(self, url: str, spool: Optional[Path] = None) -> None:
        self.url = url
        self.spool = spool or Path(os.environ.get(SPOOL_ENV) or DEFAULT_SPOOL)
        connect_args = {"timeout": 5} if url.startswith("sqlite") else {"connect_timeout": 5}
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, future=True)
        self._schema_ready = False

    def _ensure_schema(self) -> None:
        if not self._schema_ready:
            metadata.create_all(self.engine)
            self._schema_ready = True

    def add(self, request: ConsultationRequest) -> str:
        """Store one request, then anything waiting in the spool; raises StoreUnavailable."""
        try:
            self._ensure_schema()
            with self.engine.begin() as conn:
                conn.execute(requests_table.insert().values(**request.row()))
        except sa.exc.SQLAlchemyError as exc:
            logger.error("Consultation request %s could not be stored: %s", request.reference, type(exc).__name__)
            raise StoreUnavailable(type(exc).__name__) from None
        logger.info("Consultation request %s stored.", request.reference)
        self.retry_pending()
        return request.reference

    def keep_for_retry(self, request: ConsultationRequest) -> None:
        """Append to the spool file (owner-only); raises OSError if even that fails."""
        self.spool.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.spool, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(request.json() + "\n")
        logger.warning("Consultation request %s kept in the spool for a later retry.", request.reference)

    def pending(self) -> List[ConsultationRequest]:
        if not self.spool.exists():
            return []
        lines = self.spool.read_text(encoding="utf-8").splitlines()
        return [ConsultationRequest.parse_raw(line) for line in lines if line.strip()]

    def retry_pending(self) -> int:
        """Move spooled requests into the database; returns how many were sent."""
        waiting = self.pending()
        if not waiting:
            return 0
        self._ensure_schema()
        sent = 0
        with self.engine.begin() as conn:
            known = {r for (r,) in conn.execute(sa.select(requests_table.c.reference))}
            for request in waiting:
                if request.reference not in known:
                    conn.execute(requests_table.insert().values(**request.row()))
                sent += 1
        self.spool.unlink()
        logger.info("%d spooled consultation request(s) sent.", sent)
        return sent

    def all(self) -> Iterator[ConsultationRequest]:
        self._ensure_schema()
        with self.engine.connect() as conn:
            for row in conn.execute(sa.select(requests_table).order_by(requests_table.c.created_at)):
                yield ConsultationRequest.from_row(row)

    def _drop_from_spool(self, drop: Callable[[ConsultationRequest], bool]) -> int:
        waiting = self.pending()
        keep = [request for request in waiting if not drop(request)]
        if len(keep) == len(waiting):
            return 0
        self._rewrite_spool(keep)
        return len(waiting) - len(keep)

    def _rewrite_spool(self, requests: List[ConsultationRequest]) -> None:
        """The spool replaced, owner-only, in one step (a crash leaves the old one or the new one)."""
        fd = os.open(self.spool.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(request.json() + "\n" for request in requests)
        os.replace(self.spool.with_suffix(".tmp"), self.spool)

    def change_contact(self, conversation_id: str, reference: str, kind: str, contact: str) -> int:
        """The contact details of one request, corrected by the patient in the conversation that made it
        (stored or spooled); returns how many were changed (0 or 1); raises StoreUnavailable."""
        try:
            self._ensure_schema()
            with self.engine.begin() as conn:
                result = conn.execute(
                    requests_table.update()
                    .where(requests_table.c.reference == reference, requests_table.c.conversation_id == conversation_id)
                    .values(contact=contact, contact_kind=kind))
        except sa.exc.SQLAlchemyError as exc:
            logger.error("Consultation request %s could not be changed: %s", reference, type(exc).__name__)
            raise StoreUnavailable(type(exc).__name__) from None
        changed = int(result.rowcount or 0) + self._change_in_spool(conversation_id, reference, kind, contact)
        logger.info("Consultation request %s: contact details changed by the patient (%d).", reference, changed)
        return min(changed, 1)

    def _change_in_spool(self, conversation_id: str, reference: str, kind: str, contact: str) -> int:
        waiting = self.pending()
        mine = [r for r in waiting if r.reference == reference and r.conversation_id == conversation_id]
        if mine:
            self._rewrite_spool([r.copy(update={"contact": contact, "contact_kind": kind}) if r in mine else r
                                 for r in waiting])
        return len(mine)

    def delete_older_than(self, days: int) -> int:
        """Retention: delete requests (stored or spooled) made more than ``days`` ago."""
        self._ensure_schema()
        cutoff = datetime.now(timezone.utc) - timedelta(days=days)
        with self.engine.begin() as conn:
            result = conn.execute(requests_table.delete().where(requests_table.c.created_at < cutoff))
        return int(result.rowcount or 0) + self._drop_from_spool(lambda r: r.created_at < cutoff)

    def delete_conversation(self, conversation_id: str) -> int:
        """"Forget me": delete the requests made in one conversation; raises StoreUnavailable."""
        try:
            self._ensure_schema()
            with self.engine.begin() as conn:
                result = conn.execute(
                    requests_table.delete().where(requests_table.c.conversation_id == conversation_id))
        except sa.exc.SQLAlchemyError as exc:
            logger.error("Consultation requests could not be deleted: %s", type(exc).__name__)
            raise StoreUnavailable(type(exc).__name__) from None
        removed = int(result.rowcount or 0) + self._drop_from_spool(lambda r: r.conversation_id == conversation_id)
        logger.info("Deleted %d consultation request(s) at the patient's request.", removed)
        return removed


@lru_cache(maxsize=4)
def get_store(url: Optional[str] = None) -> RequestStore:
    return RequestStore(url or database_url())
