"""Opening a directory file: its bytes must be UTF-8, its name says YAML or CSV."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from accueil.directory_io.csv_source import kind_from_name, read_csv
from accueil.directory_io.records import Kind, Record
from accueil.directory_io.sections import Entry, Section, read_section_csv, section_from_name
from accueil.directory_io.yaml_source import read_operator_yaml
from accueil.errors import Problem, says

YAML_SUFFIXES = {".yaml", ".yml"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
BOM = b"\xef\xbb\xbf"


@dataclass
class Reading:
    """What the sources said: their records, the problems of their shape, the kinds they had."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    kinds: set[Kind] = field(default_factory=set)
    entries: list[Entry] = field(default_factory=list)  # caller lists, rules, scripts…


def decode(data: bytes, source: str) -> tuple[str, list[Problem]]:
    """The text of a UTF-8 file (a BOM is allowed), and one problem per line that is not UTF-8.

    A file that is not UTF-8 is still read (bad bytes replaced), so that its other problems are
    reported too and the entries of other files that refer to it are not all called unknown.
    """
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems = []
    tabular = source.lower().endswith(tuple(CSV_SUFFIXES))
    hint = "save the file as UTF-8" + ("; spreadsheets call it 'CSV UTF-8'" if tabular else "")
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = line[exc.start]
            reason = says(
                "not UTF-8: byte 0x%(byte)02x at byte %(at)s of the line (%(hint)s)",
                byte=byte,
                at=exc.start + 1,
                hint=hint,
            )
            problems.append(Problem(reason, source, number))
    return data.removeprefix(BOM).decode("utf-8", errors="replace"), problems


def read_sources(paths: list[Path], kind: Kind | None = None) -> Reading:
    """Read every file; problems are collected, never raised, so all can be reported at once."""
    reading = Reading()
    for path in paths:
        source = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            reading.problems.append(
                Problem(says("cannot read the file: %(strerror)s", strerror=exc.strerror), source)
            )
            continue
        text, problems = decode(data, source)
        reading.problems.extend(problems)
        read_text(reading, text, source, path.suffix.lower(), kind)
    return reading


def read_text(reading: Reading, text: str, source: str, suffix: str, kind: Kind | None) -> None:
    if suffix in YAML_SUFFIXES:
        records, entries, problems, kinds = read_operator_yaml(text, source)
        reading.kinds.update(kinds)
        reading.entries.extend(entries)
    elif suffix in CSV_SUFFIXES and kind is None and _section(source):
        section = _section(source)
        assert section is not None
        entries, problems = read_section_csv(text, source, section)
        reading.entries.extend(entries)
        records = []
    elif suffix in CSV_SUFFIXES:
        records, problems, found = read_csv(text, source, kind)
        if found:
            reading.kinds.add(found)
    else:
        reason = says("unknown format: name the file .yaml, .yml or .csv")
        records, problems = [], [Problem(reason, source)]
    reading.records.extend(records)
    reading.problems.extend(problems)


def _section(source: str) -> Section | None:
    """The operator section a CSV file holds, when its name says one and no directory kind."""
    return section_from_name(source) if kind_from_name(source) is None else None
