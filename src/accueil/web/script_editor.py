"""A client admin edits the account's script on its page: a draft previewed for a person and a
caller before it is saved (the merged script checked whole, as a save checks it), saved as a
new version, or an older version brought back (a new version equal to it: nothing is lost).
The form carries the version it was opened at; a save on top of a newer one is refused (412)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.core.access import Action
from accueil.core.scripts.runner import greeting, run
from accueil.services import scripts
from accueil.services.directory import get_account
from accueil.services.script_layers import Owner
from accueil.services.script_preview import call_context
from accueil.web.render import PageRoute, is_htmx, render
from accueil.web.stale import check_version
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
SCRIPTS = "/accounts/{account}/scripts"
ACCOUNT = Owner("account")
Source = Annotated[str, Form(max_length=200_000)]
Short = Annotated[str, Form(max_length=500)]


def latest(session: Session, account: str) -> scripts.ScriptVersion | None:
    found = scripts.versions(session, account, ACCOUNT)
    return found[-1] if found else None


def _back(request: Request, account: str, old: int | None, new: int) -> Response:
    """To the script's page, showing what changed (htmx follows HX-Redirect; a form, 303)."""
    target = f"/accounts/{account}/scripts?saved={new}"
    if old is not None:
        target += f"&old={old}&new={new}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post(SCRIPTS)
def save(
    request: Request,
    account: str,
    who: Who,
    source: Source = "",
    comment: Short = "",
    version: Short = "",
) -> Response:
    """Check and save the draft as the account's new version (every problem said, or saved)."""
    return _new_version(
        request, who, account, version,
        lambda session, now: scripts.save_script(
            session, account, ACCOUNT, source.replace("\r\n", "\n"), comment=comment.strip(),
            saved_by=who.user.name, now=now,
        ),
    )  # fmt: skip


@router.post(SCRIPTS + "/rollback")
def roll_back(
    request: Request,
    account: str,
    who: Who,
    to_version: Annotated[int, Form(ge=1)],
    version: Short = "",
) -> Response:
    """Bring an older version back, as a new version equal to it."""
    return _new_version(
        request, who, account, version,
        lambda session, now: scripts.rollback(
            session, account, ACCOUNT, to_version, saved_by=who.user.name, now=now
        ),
    )  # fmt: skip


def _new_version(
    request: Request,
    who: Viewer,
    account: str,
    version: str,
    make: Callable[[Session, datetime], scripts.ScriptVersion],
) -> Response:
    """A new version of the account's script made by ``make`` (a save, a roll back), unless
    the page showed an older latest version (412); then the page with what changed."""
    auth.account(who.caller, account, Action.WRITE)
    with who.caller.unit() as session:
        before = latest(session, account)
        check_version(version, before)
        made = make(session, who.caller.runtime.now())
    return _back(request, account, before.version if before else None, made.version)


@router.post(SCRIPTS + "/preview")
def preview(
    request: Request,
    account: str,
    who: Who,
    source: Source = "",
    person: Short = "",
    caller: Short = "",
) -> Response:
    """What the receptionist would say and ask with the draft, for a call to ``person``
    (empty: the switchboard) from ``caller``, now. Nothing is saved."""
    auth.account(who.caller, account, Action.READ)
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        found = get_account(session, account)
        script = scripts.check_script(session, account, ACCOUNT, source.replace("\r\n", "\n"))
        context = call_context(session, account, person or None, now, caller, who.lang)
        said = greeting(script, context)
        state = run(script, context, {})
    return render(
        request, "script_preview.html", who, account=found, greeting=said, steps=script.steps,
        state=state, when=now, caller=caller,
    )  # fmt: skip
