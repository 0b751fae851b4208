"""The operator's other sections, beside the directory: caller lists, contacts, people's own
VIP lists, rotas, employee policies, rules, scripts, closures, delegations and calendars.

A whole-operator export writes them after the directory's five kinds, in the same YAML
document (or, for a CSV export, the flat ones as CSV files and the nested ones in
``operator.yaml``); import reads them back as entries located in their file, and
``services.operator_import`` applies them through the services that own each of them.

Pure code: text and documents in, located entries out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from accueil.directory_io.formulas import neutralise, restore
from accueil.errors import Problem, says

Positions = Mapping[tuple[str | int, ...], int]


class Section(StrEnum):
    """In the order import applies them: what rules and scripts name comes first."""

    CALLER_LISTS = "caller_lists"
    CONTACTS = "contacts"
    VIP_LISTS = "vip_lists"
    ROTAS = "rotas"
    EMPLOYEE_POLICIES = "employee_policies"
    RULES = "rules"
    SCRIPTS = "scripts"
    CLOSURES = "closures"
    DELEGATIONS = "delegations"
    CALENDARS = "calendars"


# The sections that are a table: one CSV file each, one row per entry (per number of a list).
COLUMNS: dict[Section, tuple[str, ...]] = {
    Section.CALLER_LISTS: ("account", "key", "name", "number", "label"),
    Section.CONTACTS: ("account", "number", "name"),
    Section.VIP_LISTS: ("account", "person", "number", "name"),
    Section.CLOSURES: ("account", "starts", "ends", "reason"),
    Section.DELEGATIONS: ("account", "person", "delegate", "starts", "ends", "note"),
}
# The sections whose entry is a list of numbers: the columns that tell one list from another,
# and the column of each number's label; an entry holds them as ``entries: ["+33…=label"]``.
LISTED: dict[Section, tuple[tuple[str, ...], str]] = {
    Section.CALLER_LISTS: (("account", "key"), "label"),
    Section.VIP_LISTS: (("account", "person"), "name"),
}
# The nested ones: a CSV export writes them in this YAML file.
NESTED_FILE = "operator.yaml"
NESTED = tuple(s for s in Section if s not in COLUMNS)
SECTION_NAMES = frozenset(s.value for s in Section)


@dataclass(frozen=True, slots=True)
class Entry:
    """One caller list, contact, rota, rules document… as written in a source."""

    section: Section
    values: Mapping[str, object]
    file: str
    index: int
    line: int | None = None
    lines: Mapping[str, int] | None = None

    def problem(self, reason: str, name: str | None = None) -> Problem:
        line = self.lines.get(name, self.line) if name and self.lines else self.line
        if line is None:
            where = f"{self.section}[{self.index}]" + (f".{name}" if name else "")
            return Problem(reason, self.file, field=where)
        return Problem(reason, self.file, line, field=name)


def entries_from_document(
    document: object, source: str, positions: Positions | None = None
) -> tuple[list[Entry], list[Problem]]:
    """The entries of the operator's sections of a document (the directory's are left out)."""
    if not isinstance(document, Mapping):
        return [], []
    positions = positions or {}
    entries: list[Entry] = []
    problems: list[Problem] = []
    for name, items in document.items():
        if str(name) not in SECTION_NAMES or items is None:
            continue
        section = Section(str(name))
        if not isinstance(items, list):
            reason = says("%(section)s is a list of entries", section=section)
            problems.append(Problem(reason, source, positions.get((section.value,)), section))
            continue
        for index, item in enumerate(items):
            path: tuple[str | int, ...] = (section.value, index)
            if not isinstance(item, Mapping):
                reason = says(
                    "each entry of %(section)s is a mapping of fields (name: value)",
                    section=section,
                )
                where = f"{section}[{index}]"
                problems.append(Problem(reason, source, positions.get(path), field=where))
                continue
            values = {str(k): v for k, v in item.items()}
            lines = {k: positions[(*path, k)] for k in values if (*path, k) in positions}
            entries.append(Entry(section, values, source, index, positions.get(path), lines))
    return entries, problems


def section_from_name(source: str) -> Section | None:
    """The flat section a CSV file holds, from its name (``caller_lists.csv``, ``contacts.csv``)."""
    stem = PurePath(source).stem.lower().replace("-", "_")
    found = [s for s in COLUMNS if s.value in stem]
    return found[0] if len(found) == 1 else None


def read_section_csv(text: str, source: str, section: Section) -> tuple[list[Entry], list[Problem]]:
    """The entries of a flat section's CSV file; a caller list's rows make one entry."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        return [], [Problem(says("not valid CSV: %(exc)s", exc=exc), source, 1)]
    if not any(header):
        return [], [Problem(says("the file is empty (expected a header line)"), source, 1)]
    columns = COLUMNS[section]
    problems = [
        Problem(
            says(
                "unknown column %(name)r; %(section)s have %(allowed)s",
                name=h,
                section=section,
                allowed=", ".join(columns),
            ),
            source,
            1,
            h,
        )
        for h in header
        if h not in columns
    ]
    problems += [
        Problem(says("missing column %(c)r", c=c), source, 1, c) for c in columns if c not in header
    ]
    if problems:
        return [], problems
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((line, {h: restore(c) for h, c in zip(header, row, strict=False)}))
            line = reader.line_num + 1
    except csv.Error as exc:
        return [], [
            Problem(says("not valid CSV from this line on: %(exc)s", exc=exc), source, line)
        ]
    if section in LISTED:
        return _lists(section, rows, source), []
    return [Entry(section, values, source, i, line) for i, (line, values) in enumerate(rows)], []


def _lists(section: Section, rows: list[tuple[int, dict[str, str]]], source: str) -> list[Entry]:
    """Rows of the same list (account and key, or account and person) are one entry; a row
    without a number only names the list."""
    keys, label_column = LISTED[section]
    others = [c for c in COLUMNS[section] if c not in (*keys, "number", label_column)]
    grouped: dict[tuple[str, ...], tuple[int, dict[str, object], list[str]]] = {}
    for line, values in rows:
        at = tuple(values.get(k, "").strip() for k in keys)
        if at not in grouped:
            named: dict[str, object] = {
                **dict(zip(keys, at, strict=True)),
                **dict.fromkeys(others, ""),
            }
            grouped[at] = (line, named, [])
        _, entry, numbers = grouped[at]
        for other in others:
            entry[other] = entry[other] or values.get(other, "")
        number, label = values.get("number", "").strip(), values.get(label_column, "")
        if number:
            numbers.append(f"{number}={label}" if label else number)
    return [
        Entry(section, {**entry, "entries": numbers}, source, i, line)
        for i, (line, entry, numbers) in enumerate(grouped.values())
    ]


def write_section_csv(section: Section, entries: Sequence[Mapping[str, object]]) -> str:
    """A flat section as CSV, formula cells neutralised (see ``formulas``)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    columns = COLUMNS[section]
    writer.writerow(columns)
    for entry in entries:
        for row in _rows(section, entry):
            writer.writerow([neutralise(str(row.get(c) or "")) for c in columns])
    return out.getvalue()


def _rows(section: Section, entry: Mapping[str, object]) -> list[Mapping[str, object]]:
    if section not in LISTED:
        return [entry]
    label_column = LISTED[section][1]
    numbers = entry.get("entries")
    items = [str(n) for n in numbers] if isinstance(numbers, list) else []
    if not items:
        return [entry]
    rows: list[Mapping[str, object]] = []
    for item in items:
        number, _, label = item.partition("=")
        rows.append({**entry, "number": number, label_column: label})
    return rows
