"""Export: the whole operator as a document in the import format, then as YAML or CSV.

The directory (accounts, groups, people, numbers, agents) and the operator's other sections
(caller lists, contacts, rotas, current rules and scripts, closures, delegations, calendars).
Export then import into an empty database gives back the same files: every field import reads
is written, archived people and inactive agents included, in key order so that the files are
stable. CSV: one file per directory kind and per flat section, the nested sections (rotas,
rules, scripts, calendars) in ``operator.yaml`` beside them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from accueil.directory_io.records import Kind
from accueil.directory_io.sections import COLUMNS, NESTED, NESTED_FILE, write_section_csv
from accueil.directory_io.writers import CLOSED, Document, to_csv, to_yaml
from accueil.services.directory_snapshot import Columns, take_snapshot
from accueil.services.operator_export import export_sections
from accueil.services.tenancy import operator_level


@operator_level
def export_document(session: Session) -> Document:
    """The whole operator as data, in the shape ``load_directory`` takes."""
    return {**export_directory(session), **export_sections(session)}


@operator_level
def export_directory(session: Session) -> Document:
    """The directory's five kinds as data."""
    snap = take_snapshot(session)
    return {
        Kind.ACCOUNTS.value: [_account(k, r.columns) for k, r in sorted(snap.accounts.items())],
        Kind.GROUPS.value: [
            _compact({"account": a, "key": k, "name": r.columns["name"]})
            for (a, k), r in sorted(snap.groups.items())
            if r.columns["active"]  # a team taken down is not exported: importing it puts it back
        ],
        Kind.PEOPLE.value: [_person(a, k, r.columns) for (a, k), r in sorted(snap.people.items())],
        Kind.NUMBERS.value: [_number(e, r.columns) for e, r in sorted(snap.numbers.items())],
        Kind.AGENTS.value: [_agent(k, r.columns) for k, r in sorted(snap.agents.items())],
    }


@operator_level
def export_yaml(session: Session) -> str:
    return to_yaml(export_document(session))


@operator_level
def export_csv(session: Session, directory: Path) -> list[Path]:
    """One CSV file per kind and flat section (accounts.csv, …, caller_lists.csv, …) and
    ``operator.yaml`` for the nested sections, in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in export_csv_texts(session).items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


@operator_level
def export_csv_texts(session: Session) -> dict[str, str]:
    """The files of a CSV export by name, as text (for callers that do not write files)."""
    document = export_document(session)
    files = {f"{kind.value}.csv": to_csv(document, kind) for kind in Kind}
    for section in COLUMNS:
        files[f"{section.value}.csv"] = write_section_csv(section, document[section.value])
    files[NESTED_FILE] = to_yaml({s.value: document[s.value] for s in NESTED}, kinds=False)
    return files


# Fields whose absence reads the same as empty; languages are kept, as absent means "default".
_OMITTED_WHEN_EMPTY: tuple[object, ...] = ("", None, [], {})


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    """Leave out what import would read the same when absent, to keep files short."""
    return {k: v for k, v in entry.items() if k == "languages" or v not in _OMITTED_WHEN_EMPTY}


def _account(key: str, c: Columns) -> dict[str, Any]:
    return _compact({"key": key, **c, "business_hours": c["business_hours"] or CLOSED})


def _person(account: str, key: str, c: Columns) -> dict[str, Any]:
    return _compact(
        {
            "account": account,
            "key": key,
            "first_name": c["first_name"],
            "last_name": c["last_name"],
            "pronunciation": c["pronunciation"],
            "title": c["title"],
            "group": c["group_key"],
            "languages": list(c["languages"]),
            "email": c["email"],
            "devices": [_device(d) for d in c["devices"]],
            "working_hours": c["working_hours"],
            "active": c["active"],
        }
    )


def _device(device: dict[str, str]) -> str:
    head = (
        device["kind"] if device["key"] == device["kind"] else f"{device['key']}={device['kind']}"
    )
    return f"{head}:{device.get('raw') or device['address']}"  # a number as it was written


def _number(e164: str, c: Columns) -> dict[str, Any]:
    return _compact(
        {
            "number": c["raw"] or e164,
            "e164": e164,
            "account": c["account"],
            "person": c["person"],
            "label": c["label"],
        }
    )


def _agent(key: str, c: Columns) -> dict[str, Any]:
    return _compact(
        {
            "key": key,
            "name": c["name"],
            "site": c["site"],
            "languages": list(c["languages"]),
            "sip_uri": c["sip_uri"],
            "trainings": {account: level for account, level in c["trainings"]},
            "active": c["active"],
        }
    )
