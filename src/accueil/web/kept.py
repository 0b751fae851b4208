"""On the account page, what is kept: the versions of the caller lists and the on-call rotas,
taking one down — or a team (asked first; refused, said in the page's language, while
something in force names it) — and what was taken down (lists, rotas, teams, numbers
released), still read in "Taken down", and put back from there (a team with its people; a
list or a rota as it was, asked first, as its next version)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.core.access import Action
from accueil.services import caller_lists as lists
from accueil.services import groups, numbers, rotas
from accueil.web.render import PageRoute, is_htmx, render
from accueil.web.stale import check_version
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
Confirm = Annotated[str, Form(max_length=10)]
Version = Annotated[str, Form(max_length=100)]


class Remove(Protocol):
    """A service that takes a thing down, or puts it back (account first, its key, who and
    when)."""

    def __call__(
        self, session: Session, account: str, key: str, /, *, by: str, now: datetime
    ) -> object: ...


def kept_context(session: Session, account: str) -> dict[str, Any]:
    """What the account page shows of versions and removals."""
    return {  # each list's and rota's versions read at once: the same statements for 2 or 20
        "list_versions": lists.caller_lists_versions(session, account),
        "rotas": rotas.rotas_versions(session, account),
        "removed_lists": lists.removed_caller_lists(session, account),
        "removed_rotas": rotas.removed_rotas(session, account),
        "removed_groups": groups.removed_groups(session, account),
        "removed_numbers": numbers.released_numbers(session, account),
    }


@router.post("/accounts/{account}/caller-lists/{key}/remove")
def remove_list(
    request: Request, account: str, key: str, who: Who, version: Version = "", confirm: Confirm = ""
) -> Response:
    """Asks first (``confirm`` not "yes"); then takes the list down, kept with its versions."""

    def shown(session: Session) -> tuple[object, str]:
        name = lists.get_caller_list(session, account, key).name  # NotFound: no such list
        return lists.caller_lists(session, account).get(key), name

    ask = Asked(request, who, account, "caller-lists", key, version)
    return ask.then_take_down(confirm, shown, lists.remove_caller_list)


@router.post("/accounts/{account}/caller-lists/{key}/restore")
def restore_list(
    request: Request, account: str, key: str, who: Who, version: Version = "", confirm: Confirm = ""
) -> Response:
    """Asks first (``confirm`` not "yes"); then puts the list back in use as it was taken down
    (its next version)."""

    def shown(session: Session) -> tuple[object, str]:
        kept = lists.get_caller_list(session, account, key)
        return kept, kept.name or key

    ask = Asked(request, who, account, "caller-lists", key, version, "restore")
    return ask.then_take_down(confirm, shown, lists.restore_caller_list)


@router.post("/accounts/{account}/rotas/{key}/restore")
def restore_rota(
    request: Request, account: str, key: str, who: Who, version: Version = "", confirm: Confirm = ""
) -> Response:
    """Asks first (``confirm`` not "yes"); then puts the rota back in use as it was taken down
    (its next version)."""

    def shown(session: Session) -> tuple[object, str]:
        current = rotas.rota_record(session, account, key)
        return current, current.rota.name or key

    ask = Asked(request, who, account, "rotas", key, version, "restore")
    return ask.then_take_down(confirm, shown, rotas.restore_rota)


@router.post("/accounts/{account}/rotas/{key}/remove")
def remove_rota(
    request: Request, account: str, key: str, who: Who, version: Version = "", confirm: Confirm = ""
) -> Response:
    """Asks first (``confirm`` not "yes"); then takes the rota down, kept with its versions."""

    def shown(session: Session) -> tuple[object, str]:
        current = rotas.rota_record(session, account, key)
        return current, current.rota.name or key

    ask = Asked(request, who, account, "rotas", key, version)
    return ask.then_take_down(confirm, shown, rotas.remove_rota)


@router.post("/accounts/{account}/groups/{group}/remove")
def remove_team(
    request: Request,
    account: str,
    group: str,
    who: Who,
    version: Version = "",
    confirm: Confirm = "",
) -> Response:
    """Asks first (``confirm`` not "yes"); then takes the team down: its people leave it, kept
    with who was in it."""

    def shown(session: Session) -> tuple[object, str]:
        current = groups.group_record(session, account, group)
        return current, current.name

    ask = Asked(request, who, account, "groups", group, version)
    return ask.then_take_down(confirm, shown, groups.remove_group)


@dataclass(frozen=True)
class Asked:
    """A Remove button pressed: what it was shown for, in which account, by whom."""

    request: Request
    who: Viewer
    account: str
    kind: str  # the path's word: caller-lists, rotas, groups
    key: str
    version: str
    action: str = "remove"  # or "restore": put back what was taken down

    def then_take_down(
        self, confirm: str, shown: Callable[[Session], tuple[object, str]], remove: Remove
    ) -> Response:
        """The question first (``confirm`` not "yes"), then ``remove`` (or the restore: 409
        when in use, said on the page; 412 when the page showed another version)."""
        caller = self.who.caller
        auth.account(caller, self.account, Action.WRITE)
        with caller.unit() as session:
            current, name = shown(session)
            check_version(self.version, current)
            if confirm != "yes":
                return render(
                    self.request,
                    "kept_remove.html",
                    self.who,
                    account_key=self.account,
                    kind=self.kind,
                    key=self.key,
                    name=name,
                    version=self.version,
                    action=self.action,
                )
            remove(
                session, self.account, self.key, by=caller.principal.user, now=caller.runtime.now()
            )
        return _to_removed(self.request, self.account)


@router.post("/accounts/{account}/groups/{group}/restore")
def restore_team(
    request: Request, account: str, group: str, who: Who, version: Version = ""
) -> Response:
    """Puts a team taken down back in use, with the people who were in it (those in no other
    team since)."""
    auth.account(who.caller, account, Action.WRITE)
    with who.caller.unit() as session:
        check_version(version, groups.group_record(session, account, group))
        groups.restore_group(
            session, account, group, by=who.caller.principal.user, now=who.caller.runtime.now()
        )
    return _to_removed(request, account)


def _to_removed(request: Request, account: str) -> Response:
    """The account page again, showing it under what was taken down (within the page: the
    page reloaded, as going to its own address with only another #part would not)."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Refresh": "true"})
    return RedirectResponse(f"/accounts/{account}#removed", status_code=303)
