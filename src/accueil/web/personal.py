"""What an employee keeps for themselves on their page: their own VIP list, and their own rules
within the account's employee policy. Their client admin (and the operator's staff) may edit
both from the same page, and are not limited by the policy. Every save is the services' (a new
version, audited in the same transaction as the API's writes)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.problems import PreconditionFailed
from accueil.core.access import Action, Role
from accueil.core.employee_policy import OutsidePolicy
from accueil.core.rules import Scope
from accueil.errors import Problem, ValidationFailed, says
from accueil.services.callers import caller_lists
from accueil.services.directory import get_person
from accueil.services.employee_policy import get_policy
from accueil.services.rules import get_rules, save_rules
from accueil.services.vip_lists import MAX_CONTACTS, get_vip_list, set_vip_list
from accueil.web import error_words
from accueil.web.caller_lists import parse_lines
from accueil.web.render import PageRoute, render
from accueil.web.rule_form import Posted, Row, input_of, moved_up, rows_of, rows_posted, rules_of
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
PERSON = "/accounts/{account}/people/{person}"
Many = Annotated[list[str], Form(max_length=200)]
_CONTACT = re.compile(r"contacts\[(\d+)\]")


def limited(who: Viewer) -> bool:
    """Whether the account's employee policy holds this viewer: an employee, not their admin."""
    return who.role is Role.EMPLOYEE


def editor(session: Session, who: Viewer, account: str, person: str) -> dict[str, Any]:
    """What the VIP list and rules cards show."""
    rules = get_rules(session, account, Scope.PERSON, person)
    return {
        "account_key": account,
        "person_key": person,
        "my_vip": get_vip_list(session, account, person),
        "policy": get_policy(session, account).policy,
        "limited": limited(who),
        "rules": rules,
        "rows": rows_of(rules.rules),
        "devices": get_person(session, account, person).devices,
        "account_lists": {k: c.name for k, c in caller_lists(session, account).items()},
    }


def _fresh(sent: str, current: int) -> None:
    """A form shows a version; saving from a page older than the saved one is refused."""
    if sent.strip() != str(current):
        raise PreconditionFailed(
            says("someone changed this since you opened the page; reload it and redo your change"),
            field="version",
        )


@router.post(PERSON + "/vip")
def save_vip_list(
    request: Request,
    account: str,
    person: str,
    who: Who,
    contacts: Annotated[str, Form(max_length=50_000)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Replace the person's own VIP list with the lines given ('06 12 34 56 78 = Maman'); a bad
    line is named by its number and nothing changes."""
    auth.person(who.caller, account, person, Action.WRITE)
    parsed, lines = parse_lines(contacts)
    if len(parsed) > MAX_CONTACTS:
        raise ValidationFailed(
            [
                Problem(
                    says("at most %(n)s contacts", n=MAX_CONTACTS),
                    file="list",
                )
            ]
        )
    try:
        with who.caller.unit() as session:
            _fresh(version, get_vip_list(session, account, person).version)
            set_vip_list(
                session, account, person, parsed, now=who.caller.runtime.now(),
                saved_by=who.user.name,
            )  # fmt: skip
    except ValidationFailed as exc:
        # said in the form, with what was typed, where the person is looking
        refused = _by_line(exc, lines)
        with who.caller.unit() as session:
            shown = editor(session, who, account, person)
        return render(
            request, "person_vip.html", who, **shown, typed=contacts, refused=refused,
            status=refused.status,
        )  # fmt: skip
    with who.caller.unit() as session:
        shown = editor(session, who, account, person)
    return render(request, "person_vip.html", who, **shown, vip_saved=True)


def _by_line(exc: ValidationFailed, lines: list[int]) -> ValidationFailed:
    told = []
    for p in exc.problems:
        found = _CONTACT.match(p.field or "")
        told.append(Problem(p.reason, line=lines[int(found[1])] if found else None))
    return ValidationFailed(told)


@router.post(PERSON + "/rules")
def save_own_rules(
    request: Request,
    account: str,
    person: str,
    who: Who,
    kind: Many,
    name: Many,
    when: Many,
    then: Many,
    seconds: Many,
    fallback: Many,
    enabled: Annotated[list[int], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
    remove: Annotated[list[int], Form()] = [],  # noqa: B006
    version: Annotated[str, Form(max_length=12)] = "",
    up: Annotated[int | None, Form()] = None,
) -> Response:
    """Save the rows as the person's next version of their rules; an employee within the
    account's policy. A refusal marks the input it is about (what the policy does not allow,
    said beside it); one no input shows names its rule. ``up``: move that row one place up in
    the form, saving nothing yet."""
    auth.person(who.caller, account, person, Action.WRITE)
    posted = Posted(kind, name, when, then, seconds, fallback, set(enabled), set(remove))
    if up is not None:
        with who.caller.unit() as session:
            shown = editor(session, who, account, person)
        rows = rows_posted(moved_up(posted, up))
        return render(request, "person_rules.html", who, **{**shown, "rows": rows}, moved=True)
    try:
        with who.caller.unit() as session:
            saved = get_rules(session, account, Scope.PERSON, person)
            _fresh(version, saved.version)
            rules = rules_of(posted, saved.rules)
            document = {"account": account, "person": person, "rules": rules}
            save_rules(
                session, account, document, now=who.caller.runtime.now(),
                saved_by=who.user.name, limited=limited(who),
            )  # fmt: skip
    except ValidationFailed as exc:
        # said in the form, the rows as they were sent, each problem by its input
        rows = rows_posted(posted)
        with who.caller.unit() as session:
            shown = {**editor(session, who, account, person), "rows": rows}
        marks, told = _said(exc, rows, who, shown["policy"])
        return render(
            request, "person_rules.html", who, **shown, marks=marks, refused=told,
            status=exc.status,
        )  # fmt: skip
    with who.caller.unit() as session:
        shown = editor(session, who, account, person)
    return render(request, "person_rules.html", who, **shown, rules_saved=True)


def _said(
    exc: ValidationFailed, rows: list[Row], who: Viewer, policy: Any
) -> tuple[dict[str, str], ValidationFailed]:
    """The problems of a save in the page's language (the policy's as the page says it): by
    the input each is about (its id → its reason, in the form's order), and, where no one
    input shows it (a kept rule, the rules as a whole), by the rule's name in the message."""
    _ = who._
    marks: dict[str, list[str]] = {}
    told = []
    for p in exc.problems:
        item = p.extra.get("policy")
        reason = _policy_reason(item, policy, who) if item else error_words.said(p.reason, _)
        at = input_of(p.field or "")
        row = rows[at[0]] if at is not None and at[0] < len(rows) else None
        if at is not None and at[1] and row is not None and not row.kept:
            marks.setdefault(f"rule-{at[0]}-{at[1]}", []).append(reason)
            continue
        told.append(Problem(reason, file=_("Rule “%(name)s”", name=row.name) if row else ""))
    said = {k: "; ".join(v) for k, v in sorted(marks.items(), key=lambda m: _in_form(m[0]))}
    if isinstance(exc, OutsidePolicy):
        return said, OutsidePolicy(told, _("Not saved: your company does not allow this."))
    if not told:
        return said, ValidationFailed(
            told, _("Not saved: correct the marked field and send it again.")
        )
    return said, ValidationFailed(told, _("Not saved: %(n)s problem(s).", n=len(told)))


_ORDER = ("name", "when", "then", "seconds", "fallback")


def _in_form(ident: str) -> tuple[int, int]:
    """An input's place in the form (``rule-2-seconds``: the third row's fourth input)."""
    _rule, row, name = ident.split("-")
    return int(row), _ORDER.index(name)


def _policy_reason(item: str, policy: Any, who: Viewer) -> str:
    _ = who._
    reasons = {
        "treatments": _("your company does not let you send calls this way"),
        "mobile": _("your company does not let you put calls through to a mobile"),
        "max_ring_seconds": _(
            "your company lets a call ring at most %(n)s seconds", n=policy.max_ring_seconds
        ),
        "block": _("your company does not let you block callers"),
        "greeting": _("your company does not let you change your greeting"),
    }
    return reasons.get(item, item)
