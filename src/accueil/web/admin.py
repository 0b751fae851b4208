"""A client admin's pages: their people and statuses at a glance, numbers and groups; an import
with a dry run and its problems line by line; the account's rules and script with versions."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.conventions import RowId
from accueil.core.access import Action
from accueil.core.rules import Scope
from accueil.directory_io.records import Kind
from accueil.errors import InvalidInput, ValidationFailed, says
from accueil.services.account_import import import_for_account
from accueil.services.callers import caller_lists
from accueil.services.directory import get_account, list_people
from accueil.services.employee_policy import get_policy
from accueil.services.onboarding import ImportReport
from accueil.services.rules import rule_versions
from accueil.services.script_layers import Owner
from accueil.services.scripts import diff, versions
from accueil.web.i18n import Translate
from accueil.web.kept import kept_context
from accueil.web.people import numbers_context, people_context
from accueil.web.render import PageRoute, render
from accueil.web.viewer import Viewer, viewer

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Who = Annotated[Viewer, Depends(viewer)]
ACCOUNT = "/accounts/{account}"
FORMATS = (".yaml", ".yml", ".csv")
MAX_FILES = 10


@router.get(ACCOUNT)
def account_page(request: Request, account: str, who: Who) -> Response:
    """The people with what each is doing now, the teams, the numbers and caller lists."""
    auth.account(who.caller, account)
    now = who.caller.runtime.now()
    with who.caller.unit() as session:
        return render(
            request,
            "account.html",
            who,
            account=get_account(session, account),
            lists=caller_lists(session, account),
            **kept_context(session, account),
            **people_context(session, account, now),
            **numbers_context(session, account),
        )


@router.get(ACCOUNT + "/import")
def import_page(request: Request, account: str, who: Who) -> Response:
    auth.account(who.caller, account, Action.WRITE)
    with who.caller.unit() as session:
        found = get_account(session, account)
    return render(request, "import.html", who, account=found)


@router.post(ACCOUNT + "/import")
async def import_files(
    request: Request,
    account: str,
    who: Who,
    files: Annotated[list[UploadFile], File()],
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    """Check (dry run) or import the files: what would change, or every problem by line."""
    auth.account(who.caller, account, Action.WRITE)
    texts = [(await _named(upload, n)) for n, upload in enumerate(files[: MAX_FILES + 1])]
    if len(texts) > MAX_FILES:
        raise InvalidInput(says("at most %(n)s files at once", n=MAX_FILES), field="files")
    try:
        with who.caller.unit() as session:
            report = import_for_account(
                session, account, texts, dry_run=dry_run, now=who.caller.runtime.now()
            )
    except ValidationFailed as exc:
        return render(request, "import_result.html", who, report=None, problems=exc.problems)
    lines = report_lines(report, who._)
    return render(request, "import_result.html", who, report=report, lines=lines, problems=[])


def report_lines(report: ImportReport, _: Translate) -> list[str]:
    """What an import does, a line per kind, in the page's language ("personnes : 1 créé")."""
    kinds = {
        Kind.ACCOUNTS: _("accounts"), Kind.GROUPS: _("teams"), Kind.PEOPLE: _("people"),
        Kind.NUMBERS: _("numbers"), Kind.AGENTS: _("secretaries"),
    }  # fmt: skip
    counts = Counter((c.kind, c.action) for c in report.changes)
    lines = []
    for kind, name in kinds.items():
        made, changed, down = (counts[(kind, a)] for a in ("create", "change", "remove"))
        parts = [_("%(n)s created", n=made)] if made else []
        parts += [_("%(n)s changed", n=changed)] if changed else []
        parts += [_("%(n)s taken down", n=down)] if down else []
        if parts:
            lines.append(_("%(kind)s: %(what)s", kind=name, what=", ".join(parts)))
    lines += report.others  # other sections' own lines, as the service words them
    return lines or [_("nothing to change")]


async def _named(upload: UploadFile, n: int) -> tuple[str, bytes]:
    name = upload.filename or f"file{n + 1}"
    if not name.lower().endswith(FORMATS):
        raise InvalidInput(
            says("%(name)s: the name says the format (.yaml, .yml or .csv)", name=name),
            field="files",
        )
    return name, await upload.read()


@router.get(ACCOUNT + "/scripts")
def scripts_page(
    request: Request,
    account: str,
    who: Who,
    old: RowId | None = None,
    new: RowId | None = None,
    saved: RowId | None = None,
) -> Response:
    """The account's rules and script, every version, the changes between two, the editor."""
    auth.account(who.caller, account)
    owner = Owner("account")
    with who.caller.unit() as session:
        found = get_account(session, account)
        rules = rule_versions(session, account, Scope.ACCOUNT)
        script = versions(session, account, owner)
        changes = _diff(session, account, owner, old, new)
        policy = get_policy(session, account)
        people = list_people(session, account)
    return render(
        request,
        "scripts.html",
        who,
        account=found,
        rules=rules,
        script=list(reversed(script)),
        changes=changes,
        policy=policy,
        old=old,
        new=new,
        saved=saved,
        people=people,
    )


def _diff(session: Session, account: str, owner: Owner, old: int | None, new: int | None) -> str:
    if old is None and new is None:
        return ""
    if old is None or new is None:
        raise InvalidInput(
            says("pick two versions to compare"), field="old" if old is None else "new"
        )
    return diff(session, account, owner, old, new)
