"""Writing events to the outbox, in the transaction of the change, and reading them back.

``emit(session, event)`` is how a service tells what it changed: the event becomes an outbox
row in the same transaction, so the change and its event commit together or not at all.
Publication to subscribers happens after commit, in ``unit_of_work.Application``; a session
that no application opened still writes the row, which a later ``Application.catch_up``
hands on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Select, Text, cast, func, inspect, select, tuple_
from sqlalchemy.orm import Session

from accueil.services.events import Event, event_from
from accueil.services.routing_version import bump_for
from accueil.services.tenancy import account_or_operator, on_scoped_input, operator_level
from accueil.store.tables_outbox import OutboxRow

PENDING = "accueil.outbox.pending"  # Session.info key: the rows and events of this transaction


@dataclass(frozen=True)
class Envelope:
    """An event with its place in the outbox (``id``: the cursor a subscriber resumes from)."""

    id: int
    event: Event


@on_scoped_input
def emit(session: Session, event: Event) -> None:
    """Write ``event`` to the outbox in the session's transaction; published after commit."""
    row = OutboxRow(
        account=event.account,
        name=event.name,
        payload=event.payload(),
        occurred_at=event.at,
    )
    session.add(row)
    session.info.setdefault(PENDING, []).append((row, event))
    bump_for(session, event)  # a change a call's decision reads: kept slices are stale


@on_scoped_input
def committed(session: Session) -> list[Envelope]:
    """Take the events of the transaction that just committed, in the order they were emitted.

    Rows taken back by a rolled-back savepoint are no longer persistent: their events are
    dropped, as their changes were.
    """
    pending: list[tuple[OutboxRow, Event]] = session.info.pop(PENDING, [])
    return [Envelope(row.id, event) for row, event in pending if inspect(row).persistent]


@on_scoped_input
def forget_rolled_back(session: Session) -> None:
    """After a rollback: keep only the events whose rows still stand (none, for a full one)."""
    pending: list[tuple[OutboxRow, Event]] = session.info.get(PENDING, [])
    standing = [(r, e) for r, e in pending if inspect(r).persistent or inspect(r).pending]
    session.info[PENDING] = standing


@dataclass(frozen=True)
class Page:
    """Settled events after a cursor, in the order clients get them; ``held``: committed events
    came after them that a transaction still running may yet precede (read again soon)."""

    envelopes: list[Envelope]
    held: bool = False


@account_or_operator
def read_outbox(
    session: Session, *, after: int = 0, account: str | None = None, limit: int = 500
) -> list[Envelope]:
    """Events after cursor ``after``, oldest first; one account's only when ``account`` is given.

    Only settled events (``read_settled``): a client that resumes from the last cursor it got
    misses none."""
    return read_settled(session, after=after, account=account, limit=limit).envelopes


@account_or_operator
def read_settled(
    session: Session, *, after: int = 0, account: str | None = None, limit: int = 500
) -> Page:
    """The events after cursor ``after`` (the id of the last one received) that no event still
    to commit can precede.

    SQLite has one writer: ids commit in their order, and every event after ``after`` is
    settled. On PostgreSQL ids are given at insert and transactions commit in any order, so
    rows are read in the order of their transaction (``xact``, then ``id``), and only those of
    transactions older than the oldest one still running (``pg_snapshot_xmin``), read in the
    same statement: a transaction that commits later has a newer id, so its events come after
    every one handed out. A client that resumes from the id it last got goes on from that
    row's place."""
    if session.get_bind().dialect.name != "postgresql":
        query = select(OutboxRow).where(OutboxRow.id > after).order_by(OutboxRow.id).limit(limit)
        if account is not None:
            query = query.where(OutboxRow.account == account)
        return Page([_envelope(r) for r in session.scalars(query)])
    rows = session.execute(_settled_query(after, account, limit)).all()
    settled = [row for row, horizon in rows if row.xact is not None and row.xact < horizon]
    return Page([_envelope(r) for r in settled], held=len(settled) < len(rows))


def _settled_query(after: int, account: str | None, limit: int) -> Select[OutboxRow, int]:
    # the cursor's place: its row's transaction (or, for a cursor no row has, the last row
    # before it); -1 before every row
    place = (
        select(OutboxRow.xact)
        .where(OutboxRow.id <= after)
        .order_by(OutboxRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(OutboxRow, _HORIZON.label("horizon"))
        .where(tuple_(OutboxRow.xact, OutboxRow.id) > tuple_(func.coalesce(place, -1), after))
        .order_by(OutboxRow.xact, OutboxRow.id)
        .limit(limit)
    )
    if account is not None:
        query = query.where(OutboxRow.account == account)
    return query


# the oldest transaction still running, as of this statement (PostgreSQL): every row of an
# older transaction is committed or never will be
_HORIZON = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)


def _envelope(row: OutboxRow) -> Envelope:
    return Envelope(row.id, event_from(row.name, row.payload))


@operator_level
def latest_cursor(session: Session) -> int:
    """The cursor of the last settled event (0: none yet): a stream subscribed from it gets
    what happens next, without the past."""
    if session.get_bind().dialect.name != "postgresql":
        return session.scalar(select(func.max(OutboxRow.id))) or 0
    query = (
        select(OutboxRow.id)
        .where(OutboxRow.xact < _HORIZON)
        .order_by(OutboxRow.xact.desc(), OutboxRow.id.desc())
        .limit(1)
    )
    return session.scalar(query) or 0


@operator_level
def unpublished(session: Session, limit: int = 500) -> list[Envelope]:
    """Committed events no relay has handed on yet (a process stopped between the two)."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.published_at.is_(None))
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    return [_envelope(r) for r in session.scalars(query)]
