"""Importing the operator's other sections (caller lists, contacts, VIP lists, rotas, employee
policies, rules, scripts, closures, delegations, calendars) after the directory, in the same
transaction.

Each entry goes through the service that owns it, so it is checked exactly as a command would
check it; every problem is collected with the entry's file and line, and any problem refuses
the whole import (the caller's transaction rolls back). Re-importing the same entries changes
nothing: an entry equal to what the database holds is left alone (no new rules or script
version, no second closure).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from accueil.directory_io.sections import Entry, Section
from accueil.errors import AccueilError, Problem, ValidationFailed, says
from accueil.services import (
    availability,
    calendars,
    callers,
    employee_policy,
    rules,
    scripts,
    vip_lists,
)
from accueil.services.directory import account_row
from accueil.services.operator_export import export_sections
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow

SAVED_BY = "import"
_SCOPES = ("account", "group", "person")


@operator_level
def apply_entries(
    session: Session, entries: Sequence[Entry], *, now: datetime, dry_run: bool = False
) -> list[str]:
    """Apply the entries (their shape checked by ``check_entries``) in section order; lines
    say what moved ('rules: 3 saved'). Raises ValidationFailed with every problem.

    A dry run applies nothing: what the entries name may be created by the same import.
    """
    if not entries:
        return []
    if dry_run:
        counts = Counter(e.section for e in entries)
        return [f"{s}: {counts[s]} checked for shape only" for s in Section if counts[s]]
    problems: list[Problem] = []
    current = export_sections(session)  # what the database holds, in the export's shape
    applied: Counter[Section] = Counter()
    for entry in sorted(entries, key=_order):
        if _held(entry, current):
            continue
        try:
            APPLY[entry.section](session, entry, now)
        except ValidationFailed as exc:
            problems += [_located(entry, p) for p in exc.problems]
            continue
        except AccueilError as exc:
            problems.append(entry.problem(exc.message))
            continue
        applied[entry.section] += 1
    if problems:
        raise ValidationFailed(problems)
    return [f"{s}: {applied[s]} {VERBS[s]}" for s in Section if applied[s]]


VERBS = {
    Section.CALLER_LISTS: "set",
    Section.CONTACTS: "set",
    Section.VIP_LISTS: "set",
    Section.ROTAS: "set",
    Section.EMPLOYEE_POLICIES: "saved",
    Section.RULES: "saved",
    Section.SCRIPTS: "saved",
    Section.CLOSURES: "added",
    Section.DELEGATIONS: "added",
    Section.CALENDARS: "set",
}
_REQUIRED = {
    Section.CALLER_LISTS: ("account", "key"),
    Section.CONTACTS: ("account", "number"),
    Section.VIP_LISTS: ("account", "person"),
    Section.ROTAS: ("account", "key", "shifts"),
    Section.EMPLOYEE_POLICIES: ("account",),
    Section.RULES: ("account", "rules"),
    Section.SCRIPTS: ("account", "source"),
    Section.CLOSURES: ("account", "starts", "ends"),
    Section.DELEGATIONS: ("account", "person", "delegate", "starts"),
    Section.CALENDARS: ("account", "person"),
}
_ALLOWED = {
    Section.CALLER_LISTS: {"name", "entries"},
    Section.CONTACTS: {"name"},
    Section.VIP_LISTS: {"entries"},
    Section.ROTAS: {"name"},
    Section.EMPLOYEE_POLICIES: {"treatments", "mobile", "max_ring_seconds", "block", "greeting"},
    Section.RULES: {"person", "group"},
    Section.SCRIPTS: {"person", "group", "format", "file"},
    Section.CLOSURES: {"reason"},
    Section.DELEGATIONS: {"ends", "note"},
    Section.CALENDARS: {"url", "ics"},
}


def check_entries(entries: Sequence[Entry]) -> list[Problem]:
    """The problems of the entries' shape: unknown and missing fields."""
    return [p for e in entries for p in _shape(e)]


def _shape(entry: Entry) -> list[Problem]:
    required = _REQUIRED[entry.section]
    allowed = {*required, *_ALLOWED[entry.section]}
    problems = [
        entry.problem(
            says(
                "unknown field %(name)r; %(section)s have %(allowed)s",
                name=k,
                section=entry.section,
                allowed=", ".join(sorted(allowed)),
            ),
            k,
        )
        for k in entry.values
        if k not in allowed
    ]
    problems += [
        entry.problem(says("%(name)s is required", name=k), k) for k in required if _blank(entry, k)
    ]
    if entry.section is Section.CALENDARS and _blank(entry, "url") == _blank(entry, "ics"):
        problems.append(entry.problem(says("a calendar has either a url or an ics (the file)")))
    if entry.section in (Section.RULES, Section.SCRIPTS) and {"person", "group"} <= set(
        entry.values
    ):
        problems.append(entry.problem(says("name a person or a group, not both")))
    return problems


def _blank(entry: Entry, name: str) -> bool:
    value = entry.values.get(name)
    return value is None or (isinstance(value, str) and not value.strip())


def _order(entry: Entry) -> tuple[int, int]:
    """Sections in order; scripts most general first (a person's layer needs the account's)."""
    scope = next((i for i, s in enumerate(_SCOPES[1:], 1) if s in entry.values), 0)
    return list(Section).index(entry.section), scope


def _located(entry: Entry, problem: Problem) -> Problem:
    """A service's problem, placed in the import file (its field path kept)."""
    field = problem.field or problem.column
    line = (
        entry.lines.get(field.split(".")[0].split("[")[0], entry.line)
        if (field and entry.lines)
        else entry.line
    )
    return Problem(problem.reason, entry.file, line, field=field)


def _text(entry: Entry, name: str) -> str:
    value = entry.values.get(name)
    return "" if value is None else str(value).strip()


def _held(entry: Entry, current: dict[str, list[dict[str, object]]]) -> bool:
    """The database already holds this entry as it is written (compared in the export's
    shape, so a re-import of an export changes nothing)."""
    mine = _plain(entry.values)
    return any(_plain(h) == mine for h in current.get(entry.section.value, []))


def _plain(value: object) -> object:
    """A value as text all the way down (a YAML import reads text; the database holds
    numbers and booleans), empty fields left out."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).strip()


def _items(entry: Entry) -> list[str]:
    raw = entry.values.get("entries") or []
    return [str(i) for i in raw] if isinstance(raw, list) else str(raw).split("|")


def _caller_list(session: Session, entry: Entry, now: datetime) -> None:
    numbers: list[str | tuple[str, str]] = []
    for item in _items(entry):
        number, sep, label = item.partition("=")
        numbers.append((number.strip(), label.strip()) if sep else number.strip())
    callers.set_caller_list(
        session,
        _text(entry, "account"),
        _text(entry, "key"),
        numbers,
        name=_text(entry, "name"),
        now=now,
    )


def _contact(session: Session, entry: Entry, now: datetime) -> None:
    account, number = _text(entry, "account"), _text(entry, "number")
    callers.add_contact(session, account, number, _text(entry, "name"), now=now)


def _vip_list(session: Session, entry: Entry, now: datetime) -> None:
    pairs = [(number.strip(), name.strip()) for number, _, name in map(_split, _items(entry))]
    account, person = _text(entry, "account"), _text(entry, "person")
    try:
        vip_lists.set_vip_list(session, account, person, pairs, now=now, saved_by=SAVED_BY)
    except ValidationFailed as exc:
        # the service names contacts[i].number; the file writes them as entries[i]
        said = [replace(p, field=_entry_field(p.field)) for p in exc.problems]
        raise ValidationFailed(said) from None


def _split(item: str) -> tuple[str, str, str]:
    return item.partition("=")


def _entry_field(field: str | None) -> str | None:
    found = re.match(r"contacts(\[\d+\])", field or "")
    return f"entries{found.group(1)}" if found else "entries"


def _rota(session: Session, entry: Entry, now: datetime) -> None:
    data = {k: v for k, v in entry.values.items() if k != "account"}
    callers.set_rota(session, _text(entry, "account"), data, file=entry.file, now=now)


def _employee_policy(session: Session, entry: Entry, now: datetime) -> None:
    data = {k: v for k, v in entry.values.items() if k != "account"}
    employee_policy.set_policy(session, _text(entry, "account"), data, saved_by=SAVED_BY, now=now)


def _rules(session: Session, entry: Entry, now: datetime) -> None:
    account = _text(entry, "account")
    rules.save_rules(
        session, account, dict(entry.values), saved_by=SAVED_BY, now=now, file=entry.file
    )


def _script(session: Session, entry: Entry, now: datetime) -> None:
    scope = next((s for s in ("group", "person") if s in entry.values), "account")
    owner = (
        scripts.Owner("account")
        if scope == "account"
        else scripts.Owner("group" if scope == "group" else "person", _text(entry, scope))
    )
    fmt: scripts.Format = "json" if _text(entry, "format") == "json" else "yaml"
    source = entry.values.get("source")
    scripts.save_script(
        session,
        _text(entry, "account"),
        owner,
        str(source),
        fmt=fmt,
        file=_text(entry, "file"),
        saved_by=SAVED_BY,
        now=now,
    )


def _closure(session: Session, entry: Entry, now: datetime) -> None:
    zone = _zone(session, entry)
    availability.add_closure(
        session,
        _text(entry, "account"),
        start=_instant(entry, "starts", zone),
        end=_instant(entry, "ends", zone),
        reason=_text(entry, "reason"),
        now=now,
    )


def _delegation(session: Session, entry: Entry, now: datetime) -> None:
    zone = _zone(session, entry)
    availability.add_delegation(
        session,
        _text(entry, "account"),
        _text(entry, "person"),
        _text(entry, "delegate"),
        start=_instant(entry, "starts", zone),
        end=_instant(entry, "ends", zone) if _text(entry, "ends") else None,
        note=_text(entry, "note"),
        now=now,
    )


def _calendar(session: Session, entry: Entry, now: datetime) -> None:
    account, person = _text(entry, "account"), _text(entry, "person")
    if _text(entry, "url"):
        calendars.set_feed(session, account, person, _text(entry, "url"), now=now)
    else:
        data = str(entry.values.get("ics")).encode("utf-8")
        calendars.upload_calendar(session, account, person, data, now=now)


def _zone(session: Session, entry: Entry) -> ZoneInfo:
    acc: AccountRow = account_row(session, _text(entry, "account"))
    return ZoneInfo(acc.timezone)


def _instant(entry: Entry, name: str, zone: ZoneInfo) -> datetime:
    """ISO 8601; a time without an offset is the account's wall-clock time."""
    text = _text(entry, name)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        reason = says(
            "%(text)r is not a time: write ISO 8601, e.g. 2026-08-01T00:00:00+02:00", text=text
        )
        raise ValidationFailed([Problem(reason, field=name)]) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


APPLY: dict[Section, Callable[[Session, Entry, datetime], None]] = {
    Section.CALLER_LISTS: _caller_list,
    Section.CONTACTS: _contact,
    Section.VIP_LISTS: _vip_list,
    Section.ROTAS: _rota,
    Section.EMPLOYEE_POLICIES: _employee_policy,
    Section.RULES: _rules,
    Section.SCRIPTS: _script,
    Section.CLOSURES: _closure,
    Section.DELEGATIONS: _delegation,
    Section.CALENDARS: _calendar,
}

__all__ = ["apply_entries", "check_entries"]
