"""The account's employee policy: what employees may do in their own rules and greeting.

Account key first; every query filters by the account. The client admin (or the operator's
staff) saves it; each save is a new version, every version kept. An employee's own save of
their rules or greeting is checked against the version in force (``check_own_rules``,
``check_own_greeting``): beyond it, ``OutsidePolicy`` names each rule path and policy item,
and nothing is saved. Whoever is limited is the caller's to say (the API and the pages: an
employee); this module knows no roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accueil.core.employee_policy import (
    EmployeePolicy,
    OutsidePolicy,
    greeting_refused,
    outside,
    read_policy,
)
from accueil.core.rules import Rule
from accueil.errors import InvalidInput, says
from accueil.services.availability import person_row
from accueil.services.directory import account_row
from accueil.services.events import EmployeePolicySaved
from accueil.services.outbox import emit
from accueil.store.mapping import devices_from_json
from accueil.store.tables_self_service import EmployeePolicyVersionRow


@dataclass(frozen=True)
class PolicyVersion:
    """One version of the policy (version 0: none saved, everything allowed)."""

    account: str
    version: int
    policy: EmployeePolicy
    saved_at: datetime | None = None
    saved_by: str = ""


def get_policy(session: Session, account: str) -> PolicyVersion:
    """The policy in force."""
    acc = account_row(session, account)
    row = session.scalar(
        select(EmployeePolicyVersionRow)
        .where(EmployeePolicyVersionRow.account_id == acc.id)
        .order_by(EmployeePolicyVersionRow.version.desc())
        .limit(1)
    )
    return _of(row, account) if row else PolicyVersion(account, 0, EmployeePolicy())


def policy_versions(session: Session, account: str) -> list[PolicyVersion]:
    """Every saved version, newest first."""
    acc = account_row(session, account)
    rows = session.scalars(
        select(EmployeePolicyVersionRow)
        .where(EmployeePolicyVersionRow.account_id == acc.id)
        .order_by(EmployeePolicyVersionRow.version.desc())
    )
    return [_of(r, account) for r in rows]


def set_policy(
    session: Session, account: str, data: Any, *, now: datetime, saved_by: str = ""
) -> PolicyVersion:
    """Check the document and save it as the account's next version (ValidationFailed with
    the path of every problem; nothing saved)."""
    acc = account_row(session, account)
    if len(saved_by) > 100:
        raise InvalidInput(says("who saved the policy is at most 100 characters"), field="saved_by")
    policy = read_policy(data)
    latest = session.scalar(
        select(func.max(EmployeePolicyVersionRow.version)).where(
            EmployeePolicyVersionRow.account_id == acc.id
        )
    )
    row = EmployeePolicyVersionRow(
        account_id=acc.id,
        version=(latest or 0) + 1,
        document=policy.model_dump(mode="json"),
        saved_at=now,
        saved_by=saved_by,
    )
    session.add(row)
    emit(
        session,
        EmployeePolicySaved(account=acc.key, at=now, version=row.version, saved_by=saved_by),
    )
    session.flush()
    return _of(row, account)


def check_own_rules(session: Session, account: str, person: str, rules: Sequence[Rule]) -> None:
    """An employee's own rules: OutsidePolicy naming every rule path and policy item beyond
    the account's policy."""
    acc = account_row(session, account)
    devices = devices_from_json(person_row(session, acc, person).devices)
    kinds = {d.key: d.kind.value for d in devices}
    problems = outside(rules, get_policy(session, account).policy, kinds)
    if problems:
        raise OutsidePolicy(problems)


def check_own_greeting(session: Session, account: str, field: str = "greeting") -> None:
    """An employee changing their greeting (their script layer): OutsidePolicy when the
    account's policy says they may not."""
    problems = greeting_refused(get_policy(session, account).policy, field)
    if problems:
        raise OutsidePolicy(problems)


def _of(row: EmployeePolicyVersionRow, account: str) -> PolicyVersion:
    saved = row.saved_at if row.saved_at.tzinfo else row.saved_at.replace(tzinfo=UTC)
    return PolicyVersion(
        account, row.version, EmployeePolicy.model_validate(row.document), saved, row.saved_by
    )
