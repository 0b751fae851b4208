"""The client admin's form for the account's employee policy: what employees may do in their
own rules and greeting (``services/employee_policy``). Kept on the account's "Rules and
script" page; each save is a new version, audited like the API's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response

from accueil.api import auth
from accueil.api.problems import PreconditionFailed
from accueil.core.access import Action
from accueil.errors import InvalidInput, says
from accueil.services.employee_policy import get_policy, set_policy
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.post("/accounts/{account}/employee-policy")
def save_policy(
    request: Request,
    account: str,
    who: Annotated[Viewer, Depends(viewer)],
    treatments: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006
    mobile: Annotated[bool, Form()] = False,
    max_ring_seconds: Annotated[str, Form(max_length=6)] = "",
    block: Annotated[bool, Form()] = False,
    greeting: Annotated[bool, Form()] = False,
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Save the boxes ticked as the account's next version of the policy."""
    auth.account(who.caller, account, Action.WRITE)
    document = {
        "treatments": treatments,
        "mobile": mobile,
        "max_ring_seconds": _seconds(max_ring_seconds),
        "block": block,
        "greeting": greeting,
    }
    with who.caller.unit() as session:
        if version.strip() != str(get_policy(session, account).version):
            raise PreconditionFailed(
                says(
                    "someone changed this since you opened the page; reload it and redo your change"
                ),
                field="version",
            )
        set_policy(session, account, document, now=who.caller.runtime.now(), saved_by=who.user.name)
    with who.caller.unit() as session:
        found = get_policy(session, account)
    return render(
        request, "policy_form.html", who, account_key=account, policy=found, policy_saved=True
    )


def _seconds(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        reason = says("%(text)r is not a number of seconds", text=text)
        raise InvalidInput(reason, field="max_ring_seconds") from None
