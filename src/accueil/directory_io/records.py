"""Records: one entry of a directory file (an account, a person…) and where it was written.

Every source (a YAML document, a CSV file, a mapping built by code) becomes a list of records,
so that validation and error messages are the same whatever the format.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

from accueil.directory_io.sections import SECTION_NAMES
from accueil.errors import Problem, says


class Kind(StrEnum):
    """The sections of a directory file, in the order they are validated and applied."""

    ACCOUNTS = "accounts"
    GROUPS = "groups"
    PEOPLE = "people"
    NUMBERS = "numbers"
    AGENTS = "agents"


# Line (1-based) of each node of a document, by its path: ("people", 3, "timezone") -> 42.
Positions: TypeAlias = Mapping[tuple[str | int, ...], int]


@dataclass(frozen=True, slots=True)  # slots: a big file holds one per row
class Record:
    """One account, group, person, number or agent as written in a source."""

    kind: Kind
    values: Mapping[str, object]  # text, lists, mappings (typed values from code)
    file: str
    index: int  # position among the records of its kind in its source, from 0
    line: int | None = None  # where the record starts, when known
    lines: Mapping[str, int] | None = None  # line of each field, when known (YAML)
    tabular: bool = False  # CSV: fields are columns

    def problem(self, reason: str, name: str | None = None) -> Problem:
        """A problem with this record, or with one of its fields."""
        line = self.lines.get(name, self.line) if name and self.lines else self.line
        if self.tabular:
            return Problem(reason, file=self.file, line=line, column=name)
        if line is None:  # no lines (a mapping given by code): name the path instead
            path = f"{self.kind}[{self.index}]" + (f".{name}" if name else "")
            return Problem(reason, file=self.file, field=path)
        return Problem(reason, file=self.file, line=line, field=name)

    @property
    def where(self) -> str:
        """A short 'file:line' to point at this record from another one's message."""
        if self.line is None:
            return f"{self.file} {self.kind}[{self.index}]"
        return f"{self.file}:{self.line}"


def records_from_document(
    document: object, source: str, positions: Positions | None = None
) -> tuple[list[Record], list[Problem], set[Kind]]:
    """Split a document ``{accounts: [...], people: [...], ...}`` into records.

    Also returns the sections the document has, even empty: ``people: []`` says "no one".
    """
    positions = positions or {}
    if document is None:
        return [], [], set()
    if not isinstance(document, Mapping):
        return [], [Problem(_TOP_LEVEL, file=source, line=positions.get(()))], set()
    kinds: set[Kind] = set()
    records: list[Record] = []
    problems: list[Problem] = []
    for section, items in document.items():
        line = positions.get((str(section),))
        if str(section) in SECTION_NAMES:
            continue  # the operator's other sections: read by ``sections``
        if str(section) not in Kind.__members__.values():
            reason = says(
                "unknown section %(section)r; %(sections)s",
                section=section,
                sections=_TOP_LEVEL,
            )
            problems.append(Problem(reason, file=source, line=line, field=str(section)))
            continue
        kind = Kind(str(section))
        kinds.add(kind)
        if items is None:
            continue
        if not isinstance(items, list):
            reason = says(
                "%(kind)s is a list of entries, one per %(one)s",
                kind=kind,
                one=_SINGULAR[kind],
            )
            problems.append(Problem(reason, file=source, line=line, field=kind.value))
            continue
        for index, item in enumerate(items):
            path: tuple[str | int, ...] = (kind.value, index)
            if not isinstance(item, Mapping):
                reason = says(
                    "each entry of %(kind)s is a mapping of fields (name: value)", kind=kind
                )
                where = positions.get(path)
                problems.append(Problem(reason, file=source, line=where, field=f"{kind}[{index}]"))
                continue
            values = {str(k): v for k, v in item.items()}
            lines = {k: positions[(*path, k)] for k in values if (*path, k) in positions}
            records.append(Record(kind, values, source, index, positions.get(path), lines))
    return records, problems, kinds


_TOP_LEVEL = says(
    "a directory file has the sections accounts, groups, people, numbers and agents (and, "
    "from a whole-operator export, %(sections)s)",
    sections=", ".join(sorted(SECTION_NAMES)),
)
_SINGULAR = {
    Kind.ACCOUNTS: "account",
    Kind.GROUPS: "group",
    Kind.PEOPLE: "person",
    Kind.NUMBERS: "number",
    Kind.AGENTS: "agent",
}
