"""A client's own import: the groups, people, numbers and sections of one account, nothing else.

The operator's import (``onboarding.import_texts``) may touch every account. A client admin
uploads files for their account only: a line about another account, an account itself or an
agent of the pool is a problem of that line, and nothing is written. The answer never says
whether another account exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from accueil.directory_io.records import Kind
from accueil.directory_io.sources import Reading
from accueil.errors import Problem, says
from accueil.services.directory import account_row
from accueil.services.onboarding import ImportReport, apply_records, read_texts

NOT_HERE = {
    Kind.ACCOUNTS: says("accounts are the operator's to import; leave this line out"),
    Kind.AGENTS: says("the secretaries are the operator's to import; leave this line out"),
}


def import_for_account(
    session: Session,
    account: str,
    texts: Iterable[tuple[str, str | bytes]],
    *,
    dry_run: bool = False,
    now: datetime,
) -> ImportReport:
    """Import uploaded YAML and CSV files into ``account`` only: all of it, or nothing with a
    problem per line (``ValidationFailed``). People left out are kept (no prune)."""
    account_row(session, account)
    reading, source = read_texts(texts)
    reading.problems.extend(outside(reading, account))
    return apply_records(session, reading, source=source, prune=False, dry_run=dry_run, now=now)


def outside(reading: Reading, account: str) -> list[Problem]:
    """One problem per record or section entry that is not about ``account``."""
    problems = []
    for record in reading.records:
        if record.kind in NOT_HERE:
            problems.append(record.problem(NOT_HERE[record.kind]))
        elif _named(record.values.get("account")) != account:
            problems.append(record.problem(_elsewhere(account), "account"))
    for entry in reading.entries:
        if _named(entry.values.get("account")) != account:
            problems.append(entry.problem(_elsewhere(account), "account"))
    return problems


def _named(value: object) -> str:
    return "" if value is None else str(value).strip()


def _elsewhere(account: str) -> str:
    return says(
        "every line names the account %(account)r, the one you import into", account=account
    )
