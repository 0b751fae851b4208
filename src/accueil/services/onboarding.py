"""Onboarding: the one write path of the directory, from files or from data built by code.

An import validates the whole input against what the database holds and reports every
problem at once; only when nothing is wrong does it apply the changes, inside the caller's
transaction, as a few bulk statements. Re-importing the same input finds nothing to do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accueil.directory_io.records import Kind, Record, records_from_document
from accueil.directory_io.sections import entries_from_document
from accueil.directory_io.sources import Reading, decode, read_sources, read_text
from accueil.directory_io.validate import validate
from accueil.errors import Conflict, Problem, ValidationFailed, says
from accueil.services.directory_diff import REMOVAL_VERB, Change, Delta, diff
from accueil.services.directory_snapshot import Row, take_snapshot
from accueil.services.directory_writes import Progress, write
from accueil.services.events import DirectoryImported
from accueil.services.groups import groups_in_use
from accueil.services.operator_import import apply_entries, check_entries
from accueil.services.outbox import emit
from accueil.services.tenancy import operator_level

__all__ = [
    "Change",
    "ImportReport",
    "Progress",
    "import_files",
    "import_texts",
    "load_directory",
]


@dataclass(frozen=True)
class ImportReport:
    """What an import created, changed and took down (or would have, for a dry run)."""

    source: str
    dry_run: bool
    changes: tuple[Change, ...]
    unchanged: int
    others: tuple[str, ...] = ()  # the operator's other sections: 'rules: 3 saved'

    def count(self, action: str, kind: Kind | None = None) -> int:
        return sum(1 for c in self.changes if c.action == action and kind in (None, c.kind))

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def changed(self) -> int:
        return self.count("change")

    @property
    def removed(self) -> int:
        return self.count("remove")

    def lines(self) -> list[str]:
        """One line per kind that moves: 'people: 12 created, 3 changed, 1 archived'."""
        counts = Counter((c.kind, c.action) for c in self.changes)
        out = []
        for kind in Kind:
            parts = [
                f"{counts[(kind, action)]} {word}"
                for action, word in (
                    ("create", "created"),
                    ("change", "changed"),
                    ("remove", REMOVAL_VERB.get(kind, "removed")),
                )
                if counts[(kind, action)]
            ]
            if parts:
                out.append(f"{kind}: {', '.join(parts)}")
        return out + list(self.others) or ["nothing to change"]


@operator_level
def load_directory(
    session: Session,
    data: Mapping[str, object],
    *,
    now: datetime,
    source: str = "<data>",
    prune: bool = False,
    dry_run: bool = False,
) -> ImportReport:
    """Import a directory given as data: ``{"accounts": [{...}], "people": [...], ...}``.

    Same fields and rules as a YAML file (see docs/import.md). Raises ValidationFailed with
    every problem, having changed nothing; otherwise writes in ``session``'s transaction
    (the caller commits).
    """
    records, problems, kinds = records_from_document(data, source)
    entries, more = entries_from_document(data, source)
    return apply_records(
        session,
        Reading(records, problems + more, kinds, entries),
        source=source,
        prune=prune,
        dry_run=dry_run,
        now=now,
    )


@operator_level
def import_files(
    session: Session,
    paths: Iterable[Path],
    *,
    kind: Kind | None = None,
    prune: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    now: datetime,
) -> ImportReport:
    """Import YAML and CSV files together, as one change: all of them, or nothing.

    Besides the directory, the files may hold the operator's other sections (caller lists,
    contacts, rotas, rules, scripts, closures, delegations, calendars: see docs/import.md).
    """
    files = list(paths)
    _tell(progress, "reading")
    reading = read_sources(files, kind)
    source = ", ".join(str(p) for p in files)
    return apply_records(
        session, reading, source=source, prune=prune, dry_run=dry_run, progress=progress, now=now
    )


@operator_level
def import_texts(
    session: Session,
    texts: Iterable[tuple[str, str | bytes]],
    *,
    kind: Kind | None = None,
    prune: bool = False,
    dry_run: bool = False,
    now: datetime,
) -> ImportReport:
    """``import_files`` for contents already in memory (an upload): (file name, text or bytes).

    The name says the format (``.yaml``, ``.csv``) and is the ``file`` of every problem.
    """
    reading, source = read_texts(texts, kind)
    return apply_records(session, reading, source=source, prune=prune, dry_run=dry_run, now=now)


def read_texts(
    texts: Iterable[tuple[str, str | bytes]], kind: Kind | None = None
) -> tuple[Reading, str]:
    """What uploaded files say (nothing checked against the database yet), and their names."""
    reading = Reading()
    names = []
    for name, content in texts:
        names.append(name)
        if isinstance(content, bytes):
            content, problems = decode(content, name)
            reading.problems.extend(problems)
        suffix = PurePath(name).suffix.lower()
        read_text(reading, content.removeprefix("\ufeff"), name, suffix, kind)
    return reading, ", ".join(names)


@operator_level
def apply_records(
    session: Session,
    reading: Reading,
    *,
    source: str,
    prune: bool,
    dry_run: bool,
    now: datetime,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate every record, then write the difference with the database; then the
    operator's other sections, each through its own service (``operator_import``).

    Consumes ``reading``: its records are dropped once validated, to keep big imports small.
    """
    _tell(progress, "validating")
    named = _accounts_named(reading.records)
    snapshot = take_snapshot(session, named)
    problems = list(reading.problems) + check_entries(reading.entries)
    try:
        plan = validate(reading.records, snapshot.known(), reading.kinds, _stage(progress))
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(sorted(problems, key=_position))
    reading.records.clear()  # a big file's rows are no longer needed: free them before writing
    delta = diff(plan, snapshot, prune=prune)
    del plan, snapshot
    taken = [(c.key.split("/", 1)[0], r.id) for c, r in _group_removals(delta)]
    if problems := groups_in_use(session, taken):  # all or nothing: the import is refused
        raise ValidationFailed(problems)
    if not dry_run:
        try:
            write(session, delta, progress, now=now, by=f"import {source}")
        except IntegrityError as exc:
            raise Conflict(
                says(
                    "the directory changed while importing (another import ran at the same "
                    "time?); nothing was changed: run the import again"
                ),
                source=source,
            ) from exc
    others = apply_entries(session, reading.entries, now=now, dry_run=dry_run)
    report = ImportReport(source, dry_run, tuple(delta.changes), delta.unchanged, tuple(others))
    if not dry_run:
        for event in imported(report, named, now):
            emit(session, event)
    return report


def _group_removals(delta: Delta) -> list[tuple[Change, Row]]:
    """The teams ``delta`` takes down, each with its change (in the same order)."""
    changes = [c for c in delta.changes if c.kind is Kind.GROUPS and c.action == "remove"]
    return list(zip(changes, delta.removals.get(Kind.GROUPS, []), strict=True))


def imported(report: ImportReport, named: set[str], now: datetime) -> list[DirectoryImported]:
    """One event per account whose directory the import changed ("" for the agents)."""
    counts: dict[str, Counter[str]] = {}
    for change in report.changes:
        if change.kind is Kind.AGENTS:
            owner = ""
        elif change.kind is Kind.NUMBERS:
            owner = "*"  # a number's key does not say its account: every named account
        else:
            owner = change.key.split("/", 1)[0]
        counts.setdefault(owner, Counter())[change.action] += 1
    spread = counts.pop("*", Counter())
    if spread:
        for account in named:
            counts.setdefault(account, Counter()).update(spread)
    return [
        DirectoryImported(
            account=account,
            at=now,
            source=report.source,
            created=c["create"],
            changed=c["change"],
            removed=c["remove"],
        )
        for account, c in sorted(counts.items())
        if sum(c.values())
    ]


def _tell(progress: Callable[[str, int, int], None] | None, stage: str) -> None:
    if progress:
        progress(stage, 0, 0)


def _accounts_named(records: list[Record]) -> set[str]:
    """The accounts an import speaks of: only their groups and people need reading."""
    named = set()
    for record in records:
        value = record.values.get("key" if record.kind is Kind.ACCOUNTS else "account")
        if value is not None:
            named.add(str(value).strip())
    return named


def _stage(progress: Progress | None) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress("validating", done, total)


def _position(problem: Problem) -> tuple[str, int]:
    return (problem.file, problem.line or 0)
