"""Rules of a person, a group or the account: check, save (a new version), read, history.

The document's owner comes from the path: a body never names another account.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import (
    Page,
    PageQuery,
    check_if_match,
    scoped,
    versions_page,
    with_etag,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import In, Out
from accueil.core.access import Action, Role
from accueil.core.access import Scope as Access
from accueil.core.rules import Scope
from accueil.services import rules as service
from accueil.services.rules import RuleSet

router = APIRouter(tags=["rules"], route_class=OneHop)
ACCOUNT = scoped(Access.ACCOUNT)
PERSON = scoped(Access.PERSON)


class RulesIn(In):
    rules: list[dict[str, Any]] = Field(
        max_length=200, description="the ordered rules (see docs/availability-and-rules.md)"
    )


class RuleSetOut(Out):
    account: str
    scope: str
    owner: str
    version: int = Field(description="0: nothing saved yet")
    saved_at: datetime | None
    saved_by: str
    rules: list[dict[str, Any]]
    broken: list[str] = Field(description="saved rules that no longer validate (skipped)")

    @classmethod
    def of(cls, r: RuleSet) -> RuleSetOut:
        return cls(
            account=r.account,
            scope=r.scope.value,
            owner=r.owner,
            version=r.version,
            saved_at=r.saved_at if r.version else None,
            saved_by=r.saved_by,
            rules=[x.model_dump(mode="json", by_alias=True, exclude_none=True) for x in r.rules],
            broken=[t.rule for t in r.broken],
        )


class CheckOut(Out):
    valid: bool
    rules: int


def _document(account: str, scope: Scope, owner: str, body: RulesIn) -> dict[str, Any]:
    doc: dict[str, Any] = {"account": account, "rules": body.rules}
    if scope is not Scope.ACCOUNT:
        doc[scope.value] = owner
    return doc


def _read(caller: Caller, account: str, scope: Scope, owner: str, response: Response) -> RuleSetOut:
    with caller.unit() as session:
        out = RuleSetOut.of(service.get_rules(session, account, scope, owner))
    with_etag(response, out)
    return out


def _save(
    session: Session,
    caller: Caller,
    request: Request,
    account: str,
    scope: Scope,
    owner: str,
    body: RulesIn,
) -> RuleSetOut:
    check_if_match(request, RuleSetOut.of(service.get_rules(session, account, scope, owner)))
    saved = service.save_rules(
        session,
        account,
        _document(account, scope, owner, body),
        saved_by=caller.principal.user,
        now=caller.runtime.now(),
        limited=caller.principal.role is Role.EMPLOYEE,  # their client admin is not
    )
    return RuleSetOut.of(saved)


def _history(
    caller: Caller, account: str, scope: Scope, owner: str, page: PageQuery
) -> Page[RuleSetOut]:
    with caller.unit() as session:
        found = [RuleSetOut.of(r) for r in service.rule_versions(session, account, scope, owner)]
    return versions_page(found, page, newest_first=True)


# the account's defaults


@router.get("/accounts/{account}/rules", openapi_extra=ACCOUNT)
def account_rules(
    account: str, response: Response, caller: Caller = Depends(authenticated)
) -> RuleSetOut:
    """The account's default rules, latest version (ETag for If-Match)."""
    auth.account(caller, account)
    return _read(caller, account, Scope.ACCOUNT, "", response)


@router.put("/accounts/{account}/rules", openapi_extra=ACCOUNT)
def save_account_rules(
    account: str,
    body: RulesIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> RuleSetOut:
    """Check and save the account's defaults as a new version (412 on a stale If-Match)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        out = _save(session, caller, request, account, Scope.ACCOUNT, "", body)
    with_etag(response, out)
    return out


@router.get("/accounts/{account}/rules/versions", openapi_extra=ACCOUNT)
def account_rule_versions(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[RuleSetOut]:
    """Every saved version, newest first."""
    auth.account(caller, account)
    return _history(caller, account, Scope.ACCOUNT, "", page)


@router.post("/accounts/{account}/rules/check", openapi_extra=ACCOUNT)
def check_account_rules(
    account: str, body: RulesIn, caller: Caller = Depends(authenticated)
) -> CheckOut:
    """Check rules for the account without saving (422 lists every problem with its path)."""
    auth.account(caller, account)
    with caller.unit() as session:
        doc = service.check_document(session, _document(account, Scope.ACCOUNT, "", body))
    return CheckOut(valid=True, rules=len(doc.rules))


# a group's rules


@router.get("/accounts/{account}/groups/{group}/rules", openapi_extra=ACCOUNT)
def group_rules(
    account: str, group: str, response: Response, caller: Caller = Depends(authenticated)
) -> RuleSetOut:
    auth.account(caller, account)
    return _read(caller, account, Scope.GROUP, group, response)


@router.put("/accounts/{account}/groups/{group}/rules", openapi_extra=ACCOUNT)
def save_group_rules(
    account: str,
    group: str,
    body: RulesIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> RuleSetOut:
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        out = _save(session, caller, request, account, Scope.GROUP, group, body)
    with_etag(response, out)
    return out


@router.get("/accounts/{account}/groups/{group}/rules/versions", openapi_extra=ACCOUNT)
def group_rule_versions(
    account: str, group: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[RuleSetOut]:
    auth.account(caller, account)
    return _history(caller, account, Scope.GROUP, group, page)


# a person's rules (an employee: their own)


@router.get("/accounts/{account}/people/{person}/rules", openapi_extra=PERSON)
def person_rules(
    account: str, person: str, response: Response, caller: Caller = Depends(authenticated)
) -> RuleSetOut:
    auth.person(caller, account, person)
    return _read(caller, account, Scope.PERSON, person, response)


@router.put("/accounts/{account}/people/{person}/rules", openapi_extra=PERSON)
def save_person_rules(
    account: str,
    person: str,
    body: RulesIn,
    request: Request,
    response: Response,
    caller: Caller = Depends(authenticated),
) -> RuleSetOut:
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        out = _save(session, caller, request, account, Scope.PERSON, person, body)
    with_etag(response, out)
    return out


@router.get("/accounts/{account}/people/{person}/rules/versions", openapi_extra=PERSON)
def person_rule_versions(
    account: str, person: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[RuleSetOut]:
    auth.person(caller, account, person)
    return _history(caller, account, Scope.PERSON, person, page)
