"""The audit log: one row per audited request, written in the transaction of its change, so a
change and its audit row commit together or not at all. Nothing here updates or deletes a row.

Operator-level reads (every account) are for operator admins; an account's rows are also for
its client admins. The API decides who asks; these functions take the account first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accueil.services.tenancy import on_scoped_input
from accueil.store.tables_audit import AuditRow

# built once (its compiled form is cached by the engine); run on the session's connection, it is
# a Core INSERT of the table, without the ORM's bulk-insert machinery (which cost more than it)
_INSERT = insert(AuditRow)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    account: str  # "" for the operator's data (users, the pool, imports)
    user: str
    role: str
    operation: str
    target: str
    request_id: str = ""
    client: str = ""
    id: int = 0  # given by the store


@on_scoped_input
def record(session: Session, entry: AuditEntry) -> None:
    """Add ``entry`` to the log in ``session``'s transaction (committed with the change).

    A plain INSERT on the session's connection, not an ORM object: nothing reads the row back,
    and every audited request pays for it (the ORM's flush costs several times the statement)."""
    session.connection().execute(
        _INSERT,
        {
            "at": entry.at,
            "account": entry.account,
            "user": entry.user,
            "role": entry.role,
            "operation": entry.operation[:200],
            "target": entry.target[:500],
            "request_id": entry.request_id[:64],
            "client": entry.client[:64],
        },
    )


def read_audit(
    session: Session,
    account: str | None,
    *,
    user: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """The log newest first: one account's rows (``None``: every row), before id ``before``."""
    query = select(AuditRow)
    if account is not None:
        query = query.where(AuditRow.account == account)
    if user is not None:
        query = query.where(AuditRow.user == user)
    if before is not None:
        query = query.where(AuditRow.id < before)
    rows = session.scalars(query.order_by(AuditRow.id.desc()).limit(limit))
    return [
        AuditEntry(
            at=r.at,
            account=r.account,
            user=r.user,
            role=r.role,
            operation=r.operation,
            target=r.target,
            request_id=r.request_id,
            client=r.client,
            id=r.id,
        )
        for r in rows
    ]
