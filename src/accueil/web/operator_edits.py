"""The operator admin's changes on their page: a secretary or an account added or changed
(through the directory's write path, ``services/directory_edits``), a user added or
deactivated or given a new password, an API token made (shown once) or revoked
(``services/users``). A change to a secretary, an account or a user's password made from an
older page is refused (412)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response

from accueil.api.auth import SESSION_COOKIE
from accueil.core.directory import Account, Agent
from accueil.errors import InvalidInput, says
from accueil.services import browser_sessions, users
from accueil.services import directory_edits as edits
from accueil.services.directory import get_account, get_agent
from accueil.web.operator import operator_admin, operator_page
from accueil.web.render import PageRoute
from accueil.web.stale import check_version
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
Text = Annotated[str, Form(max_length=200)]
Maybe = Annotated[str | None, Form(max_length=500)]  # not sent (or empty): left as it is


def _stripped(text: str | None) -> str | None:
    return None if text is None else text.strip()


def _optional(text: str) -> str | None:
    return text.strip() or None


@router.post("/operator/agents")
def add_agent(
    request: Request, who: Who, name: Text = "", site: Text = "", languages: Text = ""
) -> Response:
    """A new secretary of the pool (key made of the name)."""
    operator_admin(who)
    key = edits.key_for(name)
    fields = {
        "name": name.strip(),
        "site": _optional(site),
        "languages": edits.listed(languages) or None,
    }
    with who.caller.unit() as session:
        edits.save_agent(session, key, fields, now=who.caller.runtime.now())
    return operator_page(request, who, done=who._("%(name)s joins the pool.", name=name.strip()))


@router.post("/operator/agents/{agent}")
def change_agent(
    request: Request,
    agent: str,
    who: Who,
    site: Text = "",
    languages: Text = "",
    trainings: Annotated[str, Form(max_length=2000)] = "",
    sip_uri: Text = "",
    version: Text = "",
) -> Response:
    """The secretary's site, languages, trainings ('alpha:2, bravo:1') and softphone's SIP
    address (empty: none), written whole."""
    fields = {
        "site": site.strip(),
        "languages": edits.listed(languages),
        "trainings": edits.trainings_of(trainings),
        "sip_uri": sip_uri.strip(),
    }
    return _change(request, who, version, "agent", agent, fields)


@router.post("/operator/accounts")
def add_account(
    request: Request, who: Who, name: Text = "", answer_name: Text = "", languages: Text = ""
) -> Response:
    """A new client account (key made of the name; answered in its name unless said)."""
    operator_admin(who)
    fields = {
        "name": name.strip(),
        "answer_name": answer_name.strip() or name.strip(),
        "languages": edits.listed(languages) or None,
    }
    with who.caller.unit() as session:
        edits.save_account(session, edits.key_for(name), fields, now=who.caller.runtime.now())
    return operator_page(request, who, done=who._("%(name)s is a new account.", name=name.strip()))


@router.post("/operator/accounts/{account}")
def change_account(
    request: Request,
    account: str,
    who: Who,
    answer_name: Text = "",
    tier: Text = "",
    target_seconds: Text = "",
    languages: Text = "",
    timezone: Maybe = None,
    country: Maybe = None,
    business_hours: Maybe = None,
    colour: Maybe = None,
    subdivision: Annotated[str, Form(max_length=16)] = "",
    notes: Annotated[str, Form(max_length=5000)] = "",
    version: Text = "",
) -> Response:
    """The account's answer name, service tier, target seconds, languages, time zone, country,
    subdivision (for its public holidays; empty: none), business hours ('mon-fri 09:00-18:00'),
    colour and notes (for the secretaries; empty: none), written whole."""
    fields = {
        "answer_name": answer_name.strip(),
        "tier": tier,
        "target_seconds": target_seconds.strip(),
        "languages": edits.listed(languages),
        "timezone": _stripped(timezone),
        "country": _stripped(country),
        "business_hours": _stripped(business_hours),
        "colour": _stripped(colour),
        "subdivision": subdivision.strip(),
        "notes": notes.strip(),
    }
    return _change(request, who, version, "account", account, fields)


def _change(
    request: Request, who: Viewer, version: str, kind: str, key: str, fields: dict[str, Any]
) -> Response:
    """A secretary's or an account's form saved whole through the import's checks, unless the
    page showed an older version (412); nothing is written when a field is refused."""
    operator_admin(who)
    with who.caller.unit() as session:
        if kind == "agent":
            found: Agent | Account = get_agent(session, key)
            check_version(version, found)
            edits.save_agent(session, key, fields, now=who.caller.runtime.now())
        else:
            found = get_account(session, key)
            check_version(version, found)
            edits.save_account(session, key, fields, now=who.caller.runtime.now())
    return operator_page(request, who, done=who._("%(name)s is saved.", name=found.name))


@router.post("/operator/users")
def add_user(
    request: Request,
    who: Who,
    name: Text = "",
    role: Text = "",
    account: Text = "",
    person: Text = "",
    agent: Text = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A new user who may sign in (with a password) or use API tokens."""
    operator_admin(who)
    with who.caller.unit() as session:
        made = users.add_user(
            session, name, users.parse_role(role), account=_optional(account),
            person=_optional(person), agent=_optional(agent), password=password or None,
            now=who.caller.runtime.now(),
        )  # fmt: skip
    return operator_page(request, who, done=who._("%(name)s may sign in.", name=made.name))


@router.post("/operator/users/{name}/deactivate")
def deactivate_user(request: Request, name: str, who: Who) -> Response:
    """The user can no longer sign in and their tokens stop working (nothing is deleted)."""
    operator_admin(who)
    if name == who.user.name:
        raise InvalidInput(says("you cannot deactivate yourself"), field="name")
    with who.caller.unit() as session:
        users.deactivate_user(session, name)
    who.caller.runtime.tokens.forget(user=name)
    return operator_page(request, who, done=who._("%(name)s is deactivated.", name=name))


@router.post("/operator/users/{name}/password")
def change_password(
    request: Request,
    name: str,
    who: Who,
    password: Annotated[str, Form(max_length=1000)] = "",
    version: Text = "",
) -> Response:
    """A user's new password (10 characters or more); their other browsers are signed out."""
    operator_admin(who)
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        check_version(version, users.get_user(session, name))
        users.set_password(session, name, password)
        keep = request.cookies.get(SESSION_COOKIE, "") if name == who.user.name else ""
        browser_sessions.close_sessions_of(session, name, now=now, keep=keep)
    return operator_page(request, who, done=who._("%(name)s has a new password.", name=name))


@router.post("/operator/users/{name}/tokens")
def create_token(request: Request, name: str, who: Who, label: Text = "") -> Response:
    """A new API token for the user, shown this once on the page."""
    operator_admin(who)
    with who.caller.unit() as session:
        made = users.create_token(session, name, label, now=who.caller.runtime.now())
    return operator_page(request, who, token=made)


@router.post("/operator/tokens/{prefix}/revoke")
def revoke_token(request: Request, prefix: str, who: Who) -> Response:
    """The token stops working at once; its row stays, with when it was revoked."""
    operator_admin(who)
    with who.caller.unit() as session:
        revoked = users.revoke_token(session, prefix, now=who.caller.runtime.now())
    who.caller.runtime.tokens.forget(prefix=revoked.prefix)
    return operator_page(
        request, who, done=who._("The token %(prefix)s is revoked.", prefix=prefix)
    )
