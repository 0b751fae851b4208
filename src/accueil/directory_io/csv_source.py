"""Reading a CSV directory file: one kind of entry per file, one entry per row.

The kind comes from ``--kind``, else the file's name (``people.csv``, ``acme-numbers.csv``),
else its header. Lists in a cell are separated by ``|``. A leading quote that export put before
a cell a spreadsheet would run (``'=…``, ``'+33…``) is taken off (see ``formulas``). Commas,
semicolons (as spreadsheets write in France) and tabs are all understood as delimiters.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

from accueil.directory_io.formulas import restore
from accueil.directory_io.records import Kind, Record
from accueil.directory_io.schema import FIELDS, REQUIRED
from accueil.errors import Problem, says

_SINGULAR = {
    Kind.ACCOUNTS: "account",
    Kind.GROUPS: "group",
    Kind.PEOPLE: "person",
    Kind.NUMBERS: "number",
    Kind.AGENTS: "agent",
}
# A header column that only one kind has tells the kind.
_TELLING = (
    (Kind.NUMBERS, {"number", "e164"}),
    (Kind.PEOPLE, {"first_name", "last_name", "devices", "mobile", "email", "working_hours"}),
    (Kind.AGENTS, {"trainings", "site", "sip_uri"}),
    (Kind.ACCOUNTS, {"answer_name", "timezone", "business_hours", "tier", "country"}),
)


def kind_from_name(source: str) -> Kind | None:
    stem = PurePath(source).stem.lower()
    found = {k for k in Kind if k.value in stem or _SINGULAR[k] in stem}
    return found.pop() if len(found) == 1 else None


def kind_from_header(header: list[str]) -> Kind | None:
    columns = set(header)
    for kind, telling in _TELLING:
        if columns & telling:
            return kind
    if {"account", "key"} <= columns and columns <= set(FIELDS[Kind.GROUPS]):
        return Kind.GROUPS
    return None


def read_csv(
    text: str, source: str, kind: Kind | None = None
) -> tuple[list[Record], list[Problem], Kind | None]:
    """The records of a CSV file, the problems of its shape, and the kind it holds."""
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    # strict: a quote never closed is an error, not the rest of the file read into one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        return [], [_not_csv(exc, source, 1)], kind
    if not any(header):
        return [], [Problem(says("the file is empty (expected a header line)"), source, 1)], kind
    kind = kind or kind_from_name(source) or kind_from_header(header)
    if kind is None:
        reason = says(
            "cannot tell what this file holds: name it people.csv, numbers.csv… or pass --kind"
        )
        return [], [Problem(reason, source, 1)], None
    problems = _header_problems(header, kind, source)
    known = [(i, name) for i, name in enumerate(header) if name in FIELDS[kind]]
    records: list[Record] = []
    line = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    reason = says(
                        "%(cells)s cells but the header has %(columns)s columns",
                        cells=len(row),
                        columns=len(header),
                    )
                    problems.append(Problem(reason, source, line))
                values = {name: restore(row[i]) for i, name in known if i < len(row)}
                records.append(Record(kind, values, source, len(records), line, tabular=True))
            line = reader.line_num + 1
    except csv.Error as exc:  # the rows after it cannot be told apart: stop there
        problems.append(_not_csv(exc, source, line))
    return records, problems, kind


def _not_csv(exc: csv.Error, source: str, line: int) -> Problem:
    why = str(exc)
    if "end of data" in why:
        reason = says(
            "not valid CSV from this line on: %(why)s (a quote opened here is never closed)",
            why=why,
        )
    elif "field limit" in why:
        reason = says(
            "not valid CSV from this line on: %(why)s "
            "(a cell this long is not a directory field; is a quote left open?)",
            why=why,
        )
    else:
        reason = says("not valid CSV from this line on: %(why)s", why=why)
    return Problem(reason, source, line)


def _header_problems(header: list[str], kind: Kind, source: str) -> list[Problem]:
    problems = []
    allowed = FIELDS[kind]
    for i, name in enumerate(header):
        if name not in allowed:
            reason = says(
                "unknown column %(name)r; %(kind)s have %(allowed)s",
                name=name,
                kind=kind,
                allowed=", ".join(allowed),
            )
            problems.append(Problem(reason, source, 1, column=name or f"#{i + 1}"))
        elif name in header[:i]:
            problems.append(
                Problem(
                    says("the column %(name)r is there twice", name=name), source, 1, column=name
                )
            )
    for name in REQUIRED[kind]:
        if name not in header:
            problems.append(
                Problem(says("missing column %(name)r", name=name), source, 1, column=name)
            )
    return problems
