"""Scripts: save a layer (account, group or person), its versions, a diff, a rollback, and a
preview of the effective script for a caller at a time."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    RowId,
    check_if_match,
    etag_of,
    remember,
    replayed,
    scoped,
    versions_page,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import In, Out
from accueil.api.times import Instant, aware
from accueil.core.access import Action, Role, Scope
from accueil.errors import NotFound, says
from accueil.services import scripts as service
from accueil.services.directory import get_account
from accueil.services.employee_policy import check_own_greeting
from accueil.services.script_layers import Owner
from accueil.services.script_preview import preview

router = APIRouter(tags=["scripts"], route_class=OneHop)
ACCOUNT = scoped(Scope.ACCOUNT)
PERSON = scoped(Scope.PERSON)
LAYER = "/accounts/{account}/scripts/{layer}"
LAYER_HELP = "'account', 'group:KEY' or 'person:KEY'"


class ScriptIn(In):
    source: str = Field(min_length=1, max_length=200_000, description="the layer, as authored")
    format: Literal["yaml", "json"] = "yaml"
    comment: str = Field("", max_length=500)


class VersionOut(Out):
    account: str
    layer: str
    version: int
    format: str
    source: str
    comment: str
    saved_at: datetime
    saved_by: str

    @classmethod
    def of(cls, v: service.ScriptVersion) -> VersionOut:
        return cls(
            account=v.account,
            layer=_layer_name(v.owner),
            version=v.version,
            format=v.format,
            source=v.source,
            comment=v.comment,
            saved_at=v.saved_at,
            saved_by=v.saved_by,
        )


class DiffOut(Out):
    old: int
    new: int
    diff: str


class RollbackIn(In):
    to_version: RowId


class PreviewOut(Out):
    greeting: str
    language: str
    situation: str
    pronunciation: str
    script: str
    state: dict[str, Any]


def _owner(layer: str) -> Owner:
    if layer == "account":
        return Owner("account")
    scope, _, key = layer.partition(":")
    if scope in {"group", "person"} and key:
        return Owner(scope, key)  # type: ignore[arg-type]
    raise NotFound(
        says(
            "no script layer %(layer)r; name it 'account', 'group:KEY' or 'person:KEY'", layer=layer
        ),
        field="layer",
    )


def _layer_name(owner: Owner) -> str:
    return "account" if owner.scope == "account" else f"{owner.scope}:{owner.key}"


def _guard(caller: Caller, account: str, owner: Owner, action: Action) -> None:
    if owner.scope == "person":
        auth.person(caller, account, owner.key, action)
    else:
        auth.account(caller, account, action)


def _within_policy(session: Session, caller: Caller, account: str, field: str) -> None:
    """An employee's own layer holds their greeting: the account's policy may keep it."""
    if caller.principal.role is Role.EMPLOYEE:
        check_own_greeting(session, account, field)


def _latest(session: Session, account: str, owner: Owner) -> VersionOut | None:
    found = service.versions(session, account, owner)
    return VersionOut.of(found[-1]) if found else None


@router.get(LAYER, openapi_extra=ACCOUNT)
def get_layer(
    account: str, layer: str, response: Response, caller: Caller = Depends(authenticated)
) -> VersionOut:
    """The latest version of a layer (ETag for If-Match)."""
    owner = _owner(layer)
    _guard(caller, account, owner, Action.READ)
    with caller.unit() as session:
        out = VersionOut.of(service.get_version(session, account, owner))
    with_etag(response, out)
    return out


@router.put(LAYER, openapi_extra=ACCOUNT)
def save_layer(
    account: str,
    layer: str,
    body: ScriptIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> VersionOut:
    """Check and save a new version (422 lists every problem; 412 on a stale If-Match)."""
    owner = _owner(layer)
    _guard(caller, account, owner, Action.WRITE)
    with caller.unit() as session:
        _within_policy(session, caller, account, "body.source")
        current = _latest(session, account, owner)
        if current is not None:
            check_if_match(request, current)
        saved = service.save_script(
            session,
            account,
            owner,
            body.source,
            fmt=body.format,
            comment=body.comment,
            saved_by=caller.principal.user,
            now=caller.runtime.now(),
        )
        out = VersionOut.of(saved)
    with_etag(response, out)
    return out


@router.get(LAYER + "/versions", openapi_extra=ACCOUNT)
def layer_versions(
    account: str, layer: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[VersionOut]:
    """Every version of the layer, oldest first, in cursor pages."""
    owner = _owner(layer)
    _guard(caller, account, owner, Action.READ)
    with caller.unit() as session:
        found = [VersionOut.of(v) for v in service.versions(session, account, owner)]
    return versions_page(found, page, newest_first=False)


@router.get(LAYER + "/diff", openapi_extra=ACCOUNT)
def layer_diff(
    account: str,
    layer: str,
    old: Annotated[RowId, Query()],
    new: Annotated[RowId, Query()],
    caller: Caller = Depends(authenticated),
) -> DiffOut:
    """A unified diff of two versions' texts."""
    owner = _owner(layer)
    _guard(caller, account, owner, Action.READ)
    with caller.unit() as session:
        return DiffOut(old=old, new=new, diff=service.diff(session, account, owner, old, new))


@router.post(LAYER + "/rollback", status_code=201, response_model=VersionOut, openapi_extra=ACCOUNT)
def rollback_layer(
    account: str,
    layer: str,
    body: RollbackIn,
    request: Request,
    caller: Caller = Depends(authenticated),
) -> Response:
    """A new version equal to an old one (every version stays): an edit of the layer (412 on a
    stale If-Match, the ETag of the new version) and a create (Idempotency-Key honoured)."""
    owner = _owner(layer)
    _guard(caller, account, owner, Action.WRITE)
    with caller.unit() as session:
        if (again := replayed(session, request, caller.user_id, body)) is not None:
            return again
        _within_policy(session, caller, account, "body.to_version")
        current = _latest(session, account, owner)
        if current is not None:
            check_if_match(request, current)
        made = service.rollback(
            session,
            account,
            owner,
            body.to_version,
            saved_by=caller.principal.user,
            now=caller.runtime.now(),
        )
        out = VersionOut.of(made)
        remember(session, request, caller.user_id, body, out, 201, caller.runtime.now())
    headers = {"ETag": etag_of(out)}
    return JSONResponse(out.model_dump(mode="json"), status_code=201, headers=headers)


@router.get("/accounts/{account}/people/{person}/script-preview", openapi_extra=PERSON)
def script_preview(
    account: str,
    person: str,
    caller_number: str = Query("", alias="caller", max_length=64, description="as typed"),
    at: Instant | None = Query(None, description="when (default now); naive: account's zone"),
    lang: str = Query("", max_length=8),
    caller: Caller = Depends(authenticated),
) -> PreviewOut:
    """The effective script for a call from ``caller`` at ``at``: greeting and first steps."""
    auth.person(caller, account, person)
    with caller.unit() as session:
        when = aware(at, get_account(session, account).timezone) or caller.runtime.now()
        shown = preview(session, account, person, now=when, caller=caller_number, lang=lang)
    g = shown.greeting
    return PreviewOut(
        greeting=g.text,
        language=g.language,
        situation=str(g.situation),
        pronunciation=g.pronunciation,
        script=shown.state.script,
        state=jsonable_encoder(asdict(shown.state)),
    )
