"""Writing events to the outbox, in the transaction of the change, and reading them back.

``emit(session, event)`` is how a service tells what it changed: the event becomes an outbox
row in the same transaction, so the change and its event commit together or not at all.
Publication to subscribers happens after commit, in ``unit_of_work.Application``; a session
that no application opened still writes the row, which a later ``Application.catch_up``
hands on.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect, select
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


@account_or_operator
def read_outbox(
    session: Session, *, after: int = 0, account: str | None = None, limit: int = 500
) -> list[Envelope]:
    """Events after cursor ``after``, oldest first; one account's only when ``account`` is given."""
    query = select(OutboxRow).where(OutboxRow.id > after).order_by(OutboxRow.id).limit(limit)
    if account is not None:
        query = query.where(OutboxRow.account == account)
    return [Envelope(r.id, event_from(r.name, r.payload)) for r in session.scalars(query)]


@operator_level
def latest_cursor(session: Session) -> int:
    """The cursor of the last event written (0: none yet): a stream subscribed from it gets
    what happens next, without the past."""
    return session.scalar(select(func.max(OutboxRow.id))) or 0


@operator_level
def unpublished(session: Session, limit: int = 500) -> list[Envelope]:
    """Committed events no relay has handed on yet (a process stopped between the two)."""
    query = (
        select(OutboxRow)
        .where(OutboxRow.published_at.is_(None))
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    return [Envelope(r.id, event_from(r.name, r.payload)) for r in session.scalars(query)]
