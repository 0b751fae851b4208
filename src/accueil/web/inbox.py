"""The messages taken for a person, on their page: open one (its read is recorded) and
acknowledge it (escalation stops). A message of another person does not exist here (404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.core.access import Action
from accueil.errors import NotFound, says
from accueil.services import messages
from accueil.services.directory import get_account
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MESSAGE = "/accounts/{account}/people/{person}/messages/{uid}"
Who = Annotated[Viewer, Depends(viewer)]


def recent(session: Session, account: str, person: str) -> list[messages.Message]:
    """The person's last messages, newest first (for their page)."""
    return messages.list_messages(session, account, person=person, limit=20)


def _theirs(session: Session, account: str, person: str, uid: str) -> None:
    if messages.get_message(session, account, uid).person != person:
        raise NotFound(says("no message %(uid)r", uid=uid), field="uid")


def _card(
    request: Request, who: Viewer, session: Session, account: str, m: messages.Message
) -> Response:
    timezone = get_account(session, account).timezone
    return render(
        request, "message.html", who, m=m, account_key=account, timezone=timezone, opened=True
    )


@router.post(MESSAGE + "/read")
def open_message(request: Request, account: str, person: str, uid: str, who: Who) -> Response:
    """The whole message; who opened it and when goes into its history."""
    auth.person(who.caller, account, person)
    with who.caller.unit() as session:
        _theirs(session, account, person, uid)
        found = messages.read_message(
            session, account, uid, reader=who.user.name, now=who.caller.runtime.now()
        )
        return _card(request, who, session, account, found)


@router.post(MESSAGE + "/acknowledge")
def acknowledge(request: Request, account: str, person: str, uid: str, who: Who) -> Response:
    """ "I'm on it": the message is acknowledged and its escalation stops."""
    auth.person(who.caller, account, person, Action.WRITE)
    with who.caller.unit() as session:
        _theirs(session, account, person, uid)
        messages.acknowledge(
            session, account, uid, by=who.user.name, now=who.caller.runtime.now(), via="page"
        )
        return _card(request, who, session, account, messages.get_message(session, account, uid))
