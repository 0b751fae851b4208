"""The operator's files: import YAML and CSV (all or nothing, or a dry run), export them back.

Both are operator-level: an import may touch any account and the pool, an export holds every
account. A refused import answers 422 with one problem per mistake: its ``file``, ``line``
and ``field``, and nothing is written.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from enum import StrEnum

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import remember, replayed, scoped
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.core.access import Action, Scope
from accueil.errors import InvalidInput, says
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


class ImportAsked(BaseModel):
    """What an import was asked: its files (by name and content digest) and its options; an
    ``Idempotency-Key`` sent again with other files or options is refused (409)."""

    files: list[tuple[str, str]]
    dry_run: bool
    prune: bool


@router.post("/imports", response_model=ImportOut, openapi_extra=OPERATOR)
def import_files(
    request: Request,
    files: list[UploadFile] = File(description="YAML and CSV files, imported together"),
    dry_run: bool = Query(False, description="check and report, write nothing"),
    prune: bool = Query(False, description="archive people and numbers the files leave out"),
    caller: Caller = Depends(authenticated),
) -> Response:
    """Import the files as one change: all of it, or nothing with every problem listed.

    With an ``Idempotency-Key``, an import that was done answers again with its first report
    and writes nothing (a dry run writes nothing, so it is not kept)."""
    auth.operator(caller, Action.WRITE)
    texts = []
    for n, upload in enumerate(files):
        name = upload.filename or f"file{n + 1}"
        if not name.lower().endswith(FORMATS):
            raise InvalidInput(
                says("%(name)s: the name says the format (.yaml, .yml or .csv)", name=name),
                field=f"files[{n}]",
            )
        texts.append((name, upload.file.read()))
    asked = ImportAsked(
        files=[(name, hashlib.sha256(data).hexdigest()) for name, data in texts],
        dry_run=dry_run,
        prune=prune,
    )
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, asked)) is not None:
            return again
        report = import_texts(
            session, texts, prune=prune, dry_run=dry_run, now=caller.runtime.now()
        )
        out = ImportOut.of(report)
        if not dry_run:
            remember(session, request, caller.user_id, asked, out, 200, caller.runtime.now())
    return JSONResponse(out.model_dump(mode="json"))


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
