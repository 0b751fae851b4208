"""A client admin keeps the account's caller lists (VIP, blocked…) on the account page: one
number or '+prefix*' a line, with an optional label after '='."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from accueil.api import auth
from accueil.core.access import Action
from accueil.errors import Problem, ValidationFailed, says
from accueil.services.callers import caller_lists, set_caller_list
from accueil.web.render import PageRoute, render
from accueil.web.stale import check_version
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
MAX_LINES = 1000
_ENTRY = re.compile(r"entries\[(\d+)\]")


def parse_lines(text: str) -> tuple[list[tuple[str, str]], list[int]]:
    """The entries of a textarea and the line number (from 1) each came from; blanks skipped."""
    entries, lines = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        raw, _, label = line.partition("=")
        if raw.strip():
            entries.append((raw.strip(), label.strip()))
            lines.append(n)
    return entries, lines


def _by_line(exc: ValidationFailed, lines: list[int]) -> ValidationFailed:
    """The service's problems (``entries[i]``) said by the line of the text they came from."""
    told = []
    for p in exc.problems:
        found = _ENTRY.match(p.field or "")
        line = lines[int(found.group(1))] if found else None
        # "line 3" of the text box; a problem of another field (the name) keeps its own
        told.append(Problem(p.reason, line=line, field="entries" if found else p.field))
    return ValidationFailed(told)


@router.post("/accounts/{account}/caller-lists/{key}")
def save_list(
    request: Request,
    account: str,
    key: str,
    who: Annotated[Viewer, Depends(viewer)],
    entries: Annotated[str, Form(max_length=100_000)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    version: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Replace the list with the lines given (all of them, or nothing with a problem per line)."""
    auth.account(who.caller, account, Action.WRITE)
    parsed, lines = parse_lines(entries)
    if len(parsed) > MAX_LINES:
        raise ValidationFailed(
            [
                Problem(
                    says("at most %(n)s numbers in a list", n=MAX_LINES),
                    file="list",
                )
            ]
        )
    try:
        with who.caller.unit() as session:
            check_version(version, caller_lists(session, account).get(key))
            saved = set_caller_list(  # a new version: the one it replaces is kept
                session,
                account,
                key,
                parsed,
                name=name.strip(),
                now=who.caller.runtime.now(),
                saved_by=who.caller.principal.user,
            )
    except ValidationFailed as exc:
        raise _by_line(exc, lines) from exc
    return render(request, "caller_list.html", who, account_key=account, key=key, list=saved)
