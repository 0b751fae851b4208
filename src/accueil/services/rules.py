"""Rules use cases: check and save a rules document (each save is a new version), read the
rules of a person, a group or the account, and build the chain a decision walks.

Account key first; every query filters by the account. A document naming another account,
an unknown person or group, device, caller list or rota is refused with the path of each
problem, and nothing is saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accueil.core.decision import RuleChain, RuleTrace
from accueil.core.rules import (
    RULES_LIMITS,
    References,
    Rule,
    RulesDocument,
    Scope,
    check_references,
    first_problem,
    load_text,
    parse_document,
)
from accueil.errors import InvalidInput, NotFound, Problem, ValidationFailed, says
from accueil.services.directory import account_row
from accueil.services.employee_policy import check_own_rules
from accueil.services.events import RulesSaved
from accueil.services.outbox import emit
from accueil.services.tenancy import on_scoped_input
from accueil.store.mapping import devices_from_json
from accueil.store.tables import AccountRow, GroupRow, NumberRow, PersonRow
from accueil.store.tables_availability import CallerListRow, RotaRow, RuleVersionRow
from accueil.store.tables_scripts import ScriptVersionRow


@dataclass(frozen=True)
class RuleSet:
    """One saved version of an owner's rules."""

    account: str
    scope: Scope
    owner: str  # person key, group key, or '' for the account's defaults
    version: int
    rules: tuple[Rule, ...]
    saved_at: datetime
    saved_by: str
    broken: tuple[RuleTrace, ...] = ()  # saved rules that no longer validate (not in ``rules``)

    def document(self) -> RulesDocument:
        owner = {self.scope.value: self.owner} if self.scope is not Scope.ACCOUNT else {}
        return RulesDocument(account=self.account, rules=list(self.rules), **owner)


@on_scoped_input
def check_document(session: Session, data: Any, *, file: str = "", text: str = "") -> RulesDocument:
    """Shape, owner and references; ValidationFailed lists every problem with its path."""
    document = parse_document(data, file, text)
    acc = session.scalar(select(AccountRow).where(AccountRow.key == document.account))
    if acc is None:
        problem = Problem(
            says("no account %(account)r", account=document.account), file, 1, field="account"
        )
        raise ValidationFailed([problem])
    refs, owner_problem = _references(session, acc, document)
    problems = [Problem(owner_problem, file, field=document.scope.value)] if owner_problem else []
    problems += check_references(document.rules, refs, file, text)
    if problems:
        raise ValidationFailed(problems)
    return document


@on_scoped_input
def check_text(session: Session, text: str, file: str = "") -> RulesDocument:
    """A rules file's text (YAML or JSON), fully checked."""
    return check_document(session, load_text(text, file), file=file, text=text)


def _references(
    session: Session, acc: AccountRow, document: RulesDocument
) -> tuple[References, str]:
    people = session.scalars(select(PersonRow).where(PersonRow.account_id == acc.id)).all()
    problem = ""
    if document.scope is Scope.PERSON:
        people = [p for p in people if p.key == document.person]
        if not people:
            problem = says(
                "no person %(person)r in account %(account)r",
                person=document.person,
                account=acc.key,
            )
    elif document.scope is Scope.GROUP:
        group = session.scalar(
            select(GroupRow).where(
                GroupRow.account_id == acc.id,
                GroupRow.key == document.group,
                GroupRow.removed_at.is_(None),  # a team taken down has no rules to save
            )
        )
        if group is None:
            problem = says(
                "no group %(group)r in account %(account)r", group=document.group, account=acc.key
            )
        people = [p for p in people if p.group_key == document.group]
    devices = frozenset(d.key for p in people for d in devices_from_json(p.devices))
    lists = session.scalars(_current_keys(CallerListRow, acc.id))  # a removed one is no more
    rotas = session.scalars(_current_keys(RotaRow, acc.id))
    numbers = session.scalars(select(NumberRow.e164).where(NumberRow.account_id == acc.id))
    # group and account defaults ring the called person's device of that name: any person's
    # device key is acceptable there, and a person who lacks it is skipped at decision time
    refs = References(frozenset(lists), frozenset(rotas), devices, frozenset(numbers))
    return refs, problem


def save_rules(
    session: Session,
    account: str,
    document: RulesDocument | Any,
    *,
    now: datetime,
    saved_by: str = "",
    file: str = "",
    text: str = "",
    limited: bool = False,
) -> RuleSet:
    """Check the document and save it as the owner's next version.

    ``limited``: an employee saving their own rules, held to the account's employee policy
    (``OutsidePolicy`` names each rule path and policy item beyond it; nothing saved).
    """
    data = (
        document.model_dump(mode="json", by_alias=True, exclude_none=True)
        if isinstance(document, RulesDocument)
        else document
    )
    if len(saved_by) > 100:
        raise InvalidInput(
            says("who saved the rules is at most 100 characters"),
            field="saved_by",
            saved_by=saved_by,
        )
    checked = check_document(session, data, file=file, text=text)
    if checked.account != account:
        raise InvalidInput(
            says(
                "the rules are for account %(theirs)r, not %(account)r",
                theirs=checked.account,
                account=account,
            ),
            field="account",
            account=account,
        )
    if limited and checked.scope is not Scope.PERSON:
        raise InvalidInput(
            says("an employee saves only their own rules"),
            field="scope",
            scope=checked.scope.value,
        )
    if limited:
        check_own_rules(session, account, checked.owner, checked.rules)
    acc = account_row(session, account)
    latest = session.scalar(
        select(func.max(RuleVersionRow.version)).where(
            RuleVersionRow.account_id == acc.id,
            RuleVersionRow.scope == checked.scope.value,
            RuleVersionRow.owner_key == checked.owner,
        )
    )
    row = RuleVersionRow(
        account_id=acc.id,
        scope=checked.scope.value,
        owner_key=checked.owner,
        version=(latest or 0) + 1,
        rules=[r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in checked.rules],
        saved_at=now,
        saved_by=saved_by,
    )
    session.add(row)
    emit(
        session,
        RulesSaved(
            account=acc.key,
            at=now,
            scope=row.scope,
            owner=row.owner_key,
            version=row.version,
            saved_by=saved_by,
        ),
    )
    session.flush()
    return _ruleset(row, account)


def _require_owner(session: Session, acc: AccountRow, scope: Scope, owner: str) -> None:
    """An unknown person or group is an error, not an empty rule set that reads as 'none'."""
    if scope is Scope.PERSON:
        table: type[PersonRow] | type[GroupRow] = PersonRow
    elif scope is Scope.GROUP:
        table = GroupRow
    else:
        return
    found = session.scalar(select(table.id).where(table.account_id == acc.id, table.key == owner))
    if found is None:
        if scope is Scope.PERSON:
            words = says("no person %(owner)r in account %(account)r", owner=owner, account=acc.key)
        else:
            words = says("no group %(owner)r in account %(account)r", owner=owner, account=acc.key)
        raise NotFound(words, **{scope.value: owner})


def _ruleset(row: RuleVersionRow, account: str) -> RuleSet:
    saved = row.saved_at if row.saved_at.tzinfo else row.saved_at.replace(tzinfo=UTC)
    scope = Scope(row.scope)
    rules, broken = _parsed(json.dumps(row.rules, sort_keys=True), scope)
    return RuleSet(account, scope, row.owner_key, row.version, rules, saved, row.saved_by, broken)


def _latest_row(
    session: Session, account_id: int, scope: Scope, owner: str
) -> RuleVersionRow | None:
    return session.scalar(
        select(RuleVersionRow)
        .where(
            RuleVersionRow.account_id == account_id,
            RuleVersionRow.scope == scope.value,
            RuleVersionRow.owner_key == owner,
        )
        .order_by(RuleVersionRow.version.desc())
        .limit(1)
    )


def get_rules(session: Session, account: str, scope: Scope, owner: str = "") -> RuleSet:
    """The latest rules of a person, a group or the account (an empty set if none saved)."""
    acc = account_row(session, account)
    _require_owner(session, acc, scope, owner)
    row = _latest_row(session, acc.id, scope, owner)
    if row is None:
        return RuleSet(account, scope, owner, 0, (), datetime.fromtimestamp(0, UTC), "")
    return _ruleset(row, account)


def rule_versions(session: Session, account: str, scope: Scope, owner: str = "") -> list[RuleSet]:
    """Every saved version, newest first: nothing is lost."""
    acc = account_row(session, account)
    _require_owner(session, acc, scope, owner)
    rows = session.scalars(
        select(RuleVersionRow)
        .where(
            RuleVersionRow.account_id == acc.id,
            RuleVersionRow.scope == scope.value,
            RuleVersionRow.owner_key == owner,
        )
        .order_by(RuleVersionRow.version.desc())
    )
    return [_ruleset(r, account) for r in rows]


# Saved rules larger than a rules file may be (an alias bomb saved before the safe loader
# refused them) are not validated at decision time: no call pays for them.
MAX_SAVED_RULES = RULES_LIMITS.max_chars


@lru_cache(maxsize=4096)
def _parsed(rules_json: str, scope: Scope) -> tuple[tuple[Rule, ...], tuple[RuleTrace, ...]]:
    # rule versions are append-only: the same JSON always means the same rules, and
    # validating twenty rules costs more than the whole decision
    if len(rules_json) > MAX_SAVED_RULES:
        note = f"too large to be rules ({len(rules_json):,} characters saved); save them again"
        return (), (RuleTrace(scope, "all the saved rules", False, note),)
    rules, broken = [], []
    for i, data in enumerate(json.loads(rules_json)):
        try:
            rules.append(Rule.model_validate(data))
        except ValidationError as exc:
            # saved under older, looser checks: a call must still get a decision
            name = data.get("name") if isinstance(data, dict) else None
            first = first_problem(exc, data)
            note = f"no longer valid ({first.field}: {first.reason}); save it again"
            broken.append(RuleTrace(scope, str(name or f"rule {i + 1}"), False, note))
    return tuple(rules), tuple(broken)


def chain_for(session: Session, account_id: int, person: PersonRow | None) -> RuleChain:
    """The rules a call to ``person`` (or to the switchboard) walks, in order."""
    broken: list[RuleTrace] = []

    def rules(scope: Scope, owner: str) -> tuple[Rule, ...]:
        row = _latest_row(session, account_id, scope, owner)
        if row is None:
            return ()
        found, unusable = _parsed(json.dumps(row.rules, sort_keys=True), scope)
        broken.extend(unusable)
        return found

    if person is None:
        return RuleChain(account=rules(Scope.ACCOUNT, ""), broken=tuple(broken))
    if person.account_id != account_id:
        raise NotFound(says("no such person in this account"))
    own = rules(Scope.PERSON, person.key)
    group = rules(Scope.GROUP, person.group_key) if person.group_key else ()
    return RuleChain(own, group, rules(Scope.ACCOUNT, ""), tuple(broken))


def rules_naming(
    session: Session, account_id: int, *, caller_list: str = "", rota: str = ""
) -> list[str]:
    """Where the rules in force of the account (its own, its groups', its people's) name the
    caller list or the rota: ``person 'claire', rule 'VIP first' (rules[0].when…)``, one a
    place (said in the reader's language). Empty when none does: it can be taken down without
    a rule losing what it names."""
    lists = set(session.scalars(_current_keys(CallerListRow, account_id)))
    rotas = set(session.scalars(_current_keys(RotaRow, account_id)))
    known = References(frozenset(lists | {caller_list}), frozenset(rotas | {rota}))
    without = References(frozenset(lists - {caller_list}), frozenset(rotas - {rota}))
    found: list[str] = []
    for row in _rows_in_force(session, account_id):
        rules, _ = _parsed(json.dumps(row.rules, sort_keys=True), Scope(row.scope))
        before = {p.field for p in check_references(rules, known)}
        owner = _owner_said(Scope(row.scope), row.owner_key)
        for p in check_references(rules, without):
            if p.field not in before and p.field:
                rule = rules[int(p.field.split("]")[0].removeprefix("rules["))]
                found.append(
                    says(
                        "%(owner)s, rule %(rule)r (%(field)s)",
                        owner=owner,
                        rule=rule.name,
                        field=p.field,
                    )
                )
    return found


def _owner_said(scope: Scope, key: str) -> str:
    """Whose rules, in words a page says in its language: "person 'claire'"."""
    if scope is Scope.PERSON:
        return says("person %(key)r", key=key)
    if scope is Scope.GROUP:
        return says("group %(key)r", key=key)
    return says("account")


def _current_keys(table: type[CallerListRow] | type[RotaRow], account_id: int) -> Any:
    return select(table.key).where(table.account_id == account_id, table.removed_at.is_(None))


def _rows_in_force(session: Session, account_id: int) -> list[RuleVersionRow]:
    return in_force(session, account_id, RuleVersionRow)


Owned = TypeVar("Owned", RuleVersionRow, ScriptVersionRow)


def in_force(session: Session, account_id: int, table: type[Owned]) -> list[Owned]:
    """The latest version of each owner's rules (or script layer) in the account."""
    latest = (
        select(table.scope, table.owner_key, func.max(table.version).label("version"))
        .where(table.account_id == account_id)
        .group_by(table.scope, table.owner_key)
        .subquery()
    )
    return list(
        session.scalars(
            select(table)
            .join(
                latest,
                (table.scope == latest.c.scope)
                & (table.owner_key == latest.c.owner_key)
                & (table.version == latest.c.version),
            )
            .where(table.account_id == account_id)
            .order_by(table.scope, table.owner_key)
        )
    )
