"""The operator's files: import YAML and CSV (all or nothing, or a dry run), export them back.

Both are operator-level: an import may touch any account and the pool, an export holds every
account. A refused import answers 422 with one problem per mistake: its ``file``, ``line``
and ``field``, and nothing is written.
"""

from __future__ import annotations

import io
import zipfile
from enum import StrEnum

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import scoped
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.core.access import Action, Scope
from accueil.errors import InvalidInput
from accueil.services import exporting
from accueil.services.onboarding import ImportReport, import_texts

router = APIRouter(tags=["import and export"], route_class=OneHop)
OPERATOR = scoped(Scope.OPERATOR)
FORMATS = (".yaml", ".yml", ".csv")


class ChangeOut(Out):
    kind: str
    key: str
    action: str = ""
    fields: list[str]


class ImportOut(Out):
    source: str
    dry_run: bool
    created: int
    changed: int
    removed: int
    unchanged: int
    summary: list[str]
    changes: list[ChangeOut]

    @classmethod
    def of(cls, r: ImportReport) -> ImportOut:
        return cls(
            source=r.source,
            dry_run=r.dry_run,
            created=r.created,
            changed=r.changed,
            removed=r.removed,
            unchanged=r.unchanged,
            summary=r.lines(),
            changes=[
                ChangeOut(kind=c.kind.value, key=c.key, action=c.action, fields=list(c.fields))
                for c in r.changes
            ],
        )


@router.post("/imports", openapi_extra=OPERATOR)
def import_files(
    files: list[UploadFile] = File(description="YAML and CSV files, imported together"),
    dry_run: bool = Query(False, description="check and report, write nothing"),
    prune: bool = Query(False, description="archive people and numbers the files leave out"),
    caller: Caller = Depends(authenticated),
) -> ImportOut:
    """Import the files as one change: all of it, or nothing with every problem listed."""
    auth.operator(caller, Action.WRITE)
    texts = []
    for n, upload in enumerate(files):
        name = upload.filename or f"file{n + 1}"
        if not name.lower().endswith(FORMATS):
            raise InvalidInput(
                f"{name}: the name says the format (.yaml, .yml or .csv)", field=f"files[{n}]"
            )
        texts.append((name, upload.file.read()))
    with caller.unit() as session:
        report = import_texts(
            session, texts, prune=prune, dry_run=dry_run, now=caller.runtime.now()
        )
    return ImportOut.of(report)


class ExportFormat(StrEnum):
    YAML = "yaml"
    CSV = "csv"


@router.get(
    "/export",
    openapi_extra=OPERATOR,
    response_class=Response,
    responses={
        200: {
            "content": {"application/yaml": {}, "application/zip": {}},
            "description": "one YAML file, or a zip of CSV files and operator.yaml",
        }
    },
)
def export(
    format: ExportFormat = Query(ExportFormat.YAML),
    caller: Caller = Depends(authenticated),
) -> Response:
    """The whole operator in the import format: import it into an empty database to get it back."""
    auth.operator(caller)
    with caller.unit() as session:
        if format is ExportFormat.YAML:
            text = exporting.export_yaml(session)
            return _attachment(text.encode(), "application/yaml", "accueil-export.yaml")
        files = exporting.export_csv_texts(session)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
    return _attachment(buffer.getvalue(), "application/zip", "accueil-export.zip")


def _attachment(data: bytes, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=media_type, headers=headers)
