"""Numbers released from an account, kept: what each led to, who released it and when.

Account key first; every query filters by the account. Releasing a number takes its row out of
``numbers`` (a call to it is then one to a number nobody has, as before), so the number is free
to be given again, here or elsewhere; the release is kept in ``number_releases`` with the person
it led to (empty: the switchboard), its label, who and when. An import with ``--prune`` keeps
each number it drops the same way (``directory_writes``), in the import's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.errors import NotFound, says
from accueil.services.availability import as_utc
from accueil.services.directory import account_row
from accueil.services.events import NumberReleased
from accueil.services.outbox import emit
from accueil.services.tenancy import on_scoped_input
from accueil.store.tables import AccountRow, NumberReleaseRow, NumberRow, PersonRow


@dataclass(frozen=True)
class NumberRelease:
    """One release of a number: what it led to then, who released it and when."""

    e164: str
    account: str
    person: str
    label: str
    removed_at: datetime
    removed_by: str
    serial: int  # the release's own id: releases sort by when, then by it


def release_number(
    session: Session, account: str, e164: str, *, by: str, now: datetime
) -> NumberRelease:
    """The number no longer leads to the account from ``now``: kept with what it led to, who
    and when, and free to be given again (calls made to it keep it as dialled). Releasing it
    again answers the last release, changing nothing."""
    acc = account_row(session, account)
    row = session.get(NumberRow, e164)
    if row is None or row.account_id != acc.id:
        kept = released_numbers(session, account, e164)
        if kept:
            return kept[-1]
        raise NotFound(
            says("no number %(e164)s in account %(account)r", e164=e164, account=account),
            field="number",
        )
    person = session.get(PersonRow, row.person_id) if row.person_id is not None else None
    kept_row = NumberReleaseRow(
        **released_columns(
            acc.id, e164, person.key if person else "", row.raw, row.label, now=now, by=by
        )
    )
    session.add(kept_row)
    session.delete(row)
    session.flush()
    emit(
        session,
        NumberReleased(
            account=acc.key, at=now, number=e164, person=kept_row.person, by=kept_row.removed_by
        ),
    )
    return _release(acc, kept_row)


def released_numbers(session: Session, account: str, e164: str = "") -> list[NumberRelease]:
    """The account's releases (of ``e164`` alone when given), in the order they were made."""
    acc = account_row(session, account)
    query = select(NumberReleaseRow).where(NumberReleaseRow.account_id == acc.id)
    if e164:
        query = query.where(NumberReleaseRow.e164 == e164)
    rows = session.scalars(query.order_by(NumberReleaseRow.removed_at, NumberReleaseRow.id))
    return [_release(acc, r) for r in rows]


def released_columns(
    account_id: int, e164: str, person: str, raw: str, label: str, *, now: datetime, by: str
) -> dict[str, Any]:
    """A ``number_releases`` row as columns (the import writes them in bulk)."""
    return {
        "account_id": account_id,
        "e164": e164,
        "person": person,
        "raw": raw,
        "label": label,
        "removed_at": now,
        "removed_by": by[:100],
    }


@on_scoped_input
def releases_of(
    numbers: Iterable[tuple[str, dict[str, Any]]],
    account_ids: dict[str, int],
    *,
    now: datetime,
    by: str,
) -> list[dict[str, Any]]:
    """The releases an import keeps for the numbers it drops (e164, its columns as the
    directory snapshot reads them: account, person, raw, label)."""
    return [
        released_columns(
            account_ids[c["account"]], e164, c["person"], c["raw"], c["label"], now=now, by=by
        )
        for e164, c in numbers
    ]


def _release(acc: AccountRow, row: NumberReleaseRow) -> NumberRelease:
    return NumberRelease(
        row.e164, acc.key, row.person, row.label, as_utc(row.removed_at), row.removed_by, row.id
    )
