"""Writing a directory document back as YAML or CSV, in the same formats import reads.

A document is what ``load_directory`` takes: ``{"accounts": [{field: value}], ...}``. The
writers are deterministic (keys sorted by the caller, fields in schema order), so the same
database always gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

import yaml

from accueil.core.hours import DAYS, WeeklyHours
from accueil.directory_io.fields import LIST_SEPARATOR
from accueil.directory_io.formulas import neutralise
from accueil.directory_io.records import Kind
from accueil.directory_io.schema import EXPORTED

Entry = Mapping[str, object]
Document = Mapping[str, Sequence[Entry]]
CLOSED = "closed"  # the written form of hours that are never open


def compact_hours(hours: WeeklyHours) -> str:
    """Hours as people write them: consecutive days with the same ranges share one part."""
    parts: list[str] = []
    day = 0
    while day < len(DAYS):
        last = day
        while last + 1 < len(DAYS) and hours.days[last + 1] == hours.days[day]:
            last += 1
        if hours.days[day]:
            span = DAYS[day] if last == day else f"{DAYS[day]}-{DAYS[last]}"
            parts.append(f"{span} " + ",".join(str(r) for r in hours.days[day]))
        day = last + 1
    return "; ".join(parts)


def to_yaml(document: Document, *, kinds: bool = True) -> str:
    """The document as YAML: the directory's kinds (each, even empty, unless ``kinds`` is
    False), then the operator's other sections the document has, in its order."""
    header = "# accueil export: import it back with 'accueil import FILE'\n"
    sections = {k.value: list(document.get(k.value, [])) for k in Kind} if kinds else {}
    sections |= {k: list(v) for k, v in document.items() if k not in sections}
    body = yaml.dump(
        sections,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return header + body


class _Dumper(yaml.SafeDumper):
    """Short lists (languages, devices) on one line; everything else in block style."""


def _represent_list(dumper: yaml.SafeDumper, data: list[object]) -> yaml.Node:
    flow = all(isinstance(item, str) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    """Texts of several lines (a script, a calendar file) as a block, as they were written;
    PyYAML falls back to a quoted form when a block cannot hold the text exactly."""
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_text)


def to_csv(document: Document, kind: Kind) -> str:
    """One kind of entry as CSV (comma-separated, UTF-8, lists joined with '|'); a cell a
    spreadsheet would run as a formula is written with a leading quote (see ``formulas``)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    columns = EXPORTED[kind]
    writer.writerow(columns)
    for entry in document.get(kind.value, []):
        writer.writerow([neutralise(cell(entry.get(name))) for name in columns])
    return out.getvalue()


def cell(value: object) -> str:
    """One value as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return LIST_SEPARATOR.join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(cell(v) for v in value)
    return str(value)
