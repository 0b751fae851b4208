"""The directory's version: one counter per account, one for the whole directory.

Every write to an account's people, groups or names bumps both (``directory_writes.write`` is
the one write path of the directory), inside the writer's transaction. A cache built from the
directory — the search indexes — keeps the version it was built at and compares it with one
row read per use, whatever the directory's size: no count, no scan, no clock. Counters survive
restarts and are shared by every process on the same database.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from accueil.errors import NotFound, says
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow, DirectoryVersionRow

WHOLE = 1  # the id of the directory_version row
# Built once: every search reads one of these.
_OF_ACCOUNT = select(AccountRow.id, AccountRow.directory_version).where(
    AccountRow.key == bindparam("account")
)
_WHOLE = select(DirectoryVersionRow.version).where(DirectoryVersionRow.id == WHOLE)


@operator_level
def bump(session: Session, accounts: Iterable[str]) -> None:
    """The directory of ``accounts`` (keys) changed in this transaction."""
    keys = sorted(set(accounts))
    if not keys:
        return
    session.execute(
        update(AccountRow)
        .where(AccountRow.key.in_(keys))
        .values(directory_version=AccountRow.directory_version + 1)
    )
    session.execute(
        update(DirectoryVersionRow)
        .where(DirectoryVersionRow.id == WHOLE)
        .values(version=DirectoryVersionRow.version + 1)
    )


def account_version(session: Session, account: str) -> tuple[int, int]:
    """The account's row id and directory version (NotFound when there is no such account)."""
    found = session.connection().execute(_OF_ACCOUNT, {"account": account}).first()
    if found is None:
        raise NotFound(says("no account %(account)r", account=account), account=account)
    return int(found[0]), int(found[1])


@operator_level
def directory_version(session: Session) -> int:
    """The whole directory's version (every account's names, people and groups)."""
    found = session.connection().scalar(_WHOLE)
    return int(found or 0)
