"""The switchboard's quarantined journal rows (migration 0019): rows a take-over could not
load, moved aside whole with the reason (``switchboard/journal.py``), for a person to read and
mend. Operator-level: the journal is the operator's, not an account's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.services.tenancy import operator_level
from accueil.store.tables_switchboard import QuarantinedRow


@dataclass(frozen=True)
class Quarantined:
    """One journal row moved aside: its place, when it was moved, why, and its body as it was
    (text when it is UTF-8, else ``body_hex``)."""

    seq: int
    term: int
    at: float
    kind: str
    reason: str
    moved_at: datetime
    body: str
    body_hex: str


@operator_level
def read_quarantine(
    session: Session, *, after: int | None = None, limit: int = 50
) -> list[Quarantined]:
    """The quarantined rows in journal order (their ``seq``), after ``after``."""
    query = select(QuarantinedRow)
    if after is not None:
        query = query.where(QuarantinedRow.seq > after)
    rows = session.scalars(query.order_by(QuarantinedRow.seq).limit(limit))
    return [_entry(row) for row in rows]


def _entry(row: QuarantinedRow) -> Quarantined:
    raw = bytes(row.body)
    try:
        text, hexed = raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        text, hexed = "", raw.hex()
    return Quarantined(
        seq=int(row.seq), term=int(row.term), at=float(row.at), kind=row.kind,
        reason=row.reason, moved_at=row.moved_at, body=text, body_hex=hexed,
    )  # fmt: skip
