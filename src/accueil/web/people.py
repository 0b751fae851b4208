"""A client admin changes their directory on the account page, effective at once: someone
arrives, leaves (archived: nothing of theirs is lost) or comes back, moves to another team; a
team is added; a number is added or released (``services/directory_edits``). Each form carries
the version of what it showed; a change made from an older page is refused (412)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.core.access import Action
from accueil.core.directory import Number, Person
from accueil.errors import NotFound, says
from accueil.services import availability as avail
from accueil.services import directory_edits as edits
from accueil.services import numbers
from accueil.services.directory import get_account, get_person, list_numbers
from accueil.services.directory import list_people as people_of
from accueil.services.groups import groups_with_people
from accueil.web.render import PageRoute, is_htmx, render
from accueil.web.stale import check_version, version_of
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
Text = Annotated[str, Form(max_length=200)]
PEOPLE = "/accounts/{account}/people"
NUMBERS = "/accounts/{account}/numbers"


def people_context(session: Session, account: str, now: datetime) -> dict[str, Any]:
    """What the people's section shows: who is here and doing what, the teams, who left."""
    everyone = people_of(session, account, archived=True)
    here = [p for p in everyone if p.active]
    teams = groups_with_people(session, account)
    return {
        "people": here,
        "left": [p for p in everyone if not p.active],
        # in one batch: a constant number of statements however many people
        "statuses": avail.availabilities_of(session, account, [p.key for p in here], now=now),
        "groups": {g.key: g.name for g in teams},
        # what a team's Remove button was shown (web/kept.py checks it)
        "team_versions": {g.key: version_of(g) for g in teams},
        "versions": {p.key: version_of(p) for p in everyone},
        "now": now,
    }


def numbers_context(session: Session, account: str) -> dict[str, Any]:
    numbers = list_numbers(session, account)
    names = {p.key: p.full_name for p in people_of(session, account, archived=True)}
    return {
        "numbers": numbers,
        "names": names,
        "current": [p for p in people_of(session, account)],
        "number_versions": {n.e164: version_of(n) for n in numbers},
    }


def _answer(request: Request, who: Viewer, account: str, fragment: str, done: str) -> Response:
    """The section again (htmx) with what was done in the flash; a plain form: the page."""
    if not is_htmx(request):
        return RedirectResponse(f"/accounts/{account}", status_code=303)
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        found = get_account(session, account)
        context = (
            people_context(session, account, now)
            if fragment == "_people.html"
            else numbers_context(session, account)
        )
    return render(request, fragment, who, account=found, done=done, **context)


def _change_person(
    request: Request,
    who: Viewer,
    account: str,
    person: str,
    version: str,
    change: Callable[[Session, datetime], Person],
    said: Callable[[Person], str],
) -> Response:
    """A change to one person (leave, come back, move) unless the page showed an older version
    of them (412); then the people's section again, saying what was done."""
    auth.account(who.caller, account, Action.WRITE)
    with who.caller.unit() as session:
        check_version(version, get_person(session, account, person))
        changed = change(session, who.caller.runtime.now())
    return _answer(request, who, account, "_people.html", said(changed))


@router.post(PEOPLE)
def arrive(
    request: Request,
    account: str,
    who: Who,
    first_name: Text = "",
    last_name: Text = "",
    title: Text = "",
    group: Text = "",
    mobile: Text = "",
    email: Text = "",
    language: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Someone arrives: a new person of the account, reachable at once."""
    auth.account(who.caller, account, Action.WRITE)
    fields = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "title": title.strip(),
        "group": group,
        "mobile": mobile.strip(),
        "email": email.strip(),
        "languages": [language] if language else None,
    }
    with who.caller.unit() as session:
        made = edits.arrive(session, account, fields, now=who.caller.runtime.now())
    return _answer(
        request, who, account, "_people.html", who._("%(name)s arrived.", name=made.full_name)
    )


@router.post(PEOPLE + "/{person}/leave")
def leave(request: Request, account: str, person: str, who: Who, version: Text = "") -> Response:
    """The person leaves: archived, their calls and messages kept and still named."""
    return _change_person(
        request, who, account, person, version,
        lambda session, now: edits.leave(session, account, person, now=now),
        lambda gone: who._("%(name)s left the list.", name=gone.full_name),
    )  # fmt: skip


@router.post(PEOPLE + "/{person}/return")
def come_back(
    request: Request, account: str, person: str, who: Who, version: Text = ""
) -> Response:
    """Someone who left comes back: current again, with what they had."""
    return _change_person(
        request, who, account, person, version,
        lambda session, now: edits.come_back(session, account, person, now=now),
        lambda back: who._("%(name)s is back.", name=back.full_name),
    )  # fmt: skip


@router.post(PEOPLE + "/{person}/team")
def move(
    request: Request, account: str, person: str, who: Who, group: Text = "", version: Text = ""
) -> Response:
    """The person moves to another team (or to none)."""
    return _change_person(
        request, who, account, person, version,
        lambda session, now: edits.move(session, account, person, group, now=now),
        lambda moved: who._("%(name)s changed team.", name=moved.full_name),
    )  # fmt: skip


@router.post("/accounts/{account}/groups")
def add_team(request: Request, account: str, who: Who, name: Text = "") -> Response:
    auth.account(who.caller, account, Action.WRITE)
    with who.caller.unit() as session:
        edits.add_group(session, account, name, now=who.caller.runtime.now())
    return _answer(
        request,
        who,
        account,
        "_people.html",
        who._("The team %(name)s is added.", name=name.strip()),
    )


@router.post(NUMBERS)
def add_number(
    request: Request,
    account: str,
    who: Who,
    number: Annotated[str, Form(max_length=40)] = "",
    person: Text = "",
    label: Text = "",
) -> Response:
    """A number now leads to the account's switchboard or to one person."""
    auth.account(who.caller, account, Action.WRITE)
    with who.caller.unit() as session:
        e164 = edits.add_number(
            session, account, number, person, label.strip(), now=who.caller.runtime.now()
        )
    return _answer(
        request, who, account, "_numbers.html", who._("%(number)s is added.", number=e164)
    )


@router.post(NUMBERS + "/{e164}/release")
def release_number(
    request: Request, account: str, e164: str, who: Who, version: Text = ""
) -> Response:
    """The number no longer leads here, kept in "Taken down"; the calls made to it keep it."""
    auth.account(who.caller, account, Action.WRITE)
    with who.caller.unit() as session:
        check_version(version, _number(session, account, e164))
        numbers.release_number(
            session, account, e164, by=who.caller.principal.user, now=who.caller.runtime.now()
        )
    return _answer(
        request, who, account, "_numbers.html", who._("%(number)s is released.", number=e164)
    )


def _number(session: Session, account: str, e164: str) -> Number:
    found = next((n for n in list_numbers(session, account) if n.e164 == e164), None)
    if found is None:
        raise NotFound(
            says("no number %(e164)s in account %(account)r", e164=e164, account=account),
            field="number",
        )
    return found
