"""``accueil script``: check, save, show, history, diff, rollback and try out scripts.

Layers are named ``ACCOUNT`` (the account's script), ``ACCOUNT:PERSON`` (a person's overrides)
or ``ACCOUNT/group:GROUP`` (a group's).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from accueil.cli.app import app
from accueil.cli.common import cannot_read, console, reported, unit_of_work
from accueil.core.scripts.build import build
from accueil.core.scripts.document import parse_layer
from accueil.core.scripts.model import Script
from accueil.core.scripts.runner import RunState
from accueil.core.storable import INTEGER_MAX
from accueil.errors import InvalidInput, ValidationFailed, says
from accueil.services import scripts as service
from accueil.services.script_preview import preview
from accueil.services.times import HELP as TIME_HELP
from accueil.services.times import at_account

script_app = typer.Typer(help="Per-account, group and person scripts: versioned, inherited.")
app.add_typer(script_app, name="script")

WHO = typer.Argument(..., help="ACCOUNT, ACCOUNT:PERSON or ACCOUNT/group:GROUP")


def _read(file: Path) -> tuple[str, service.Format]:
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(cannot_read(file, exc), file=str(file)) from None
    return text, "json" if file.suffix.lower() == ".json" else "yaml"


@script_app.command("check")
def check(
    file: Path = typer.Argument(..., help="A script file, YAML or JSON"),
    layer_of: str | None = typer.Option(
        None, "--for", help="Check it as this layer, merged with the saved ones (ACCOUNT:PERSON…)"
    ),
) -> None:
    """Validate a script; print every problem with its file, line and field. Exit 2 if any."""
    with reported():
        text, fmt = _read(file)
        if layer_of is None:
            script = _alone(text, str(file), fmt)
        else:
            account, owner = service.Owner.parse(layer_of)
            with unit_of_work() as work:
                session = work.session
                script = service.check_script(
                    session, account, owner, text, fmt=fmt, file=str(file)
                )
        languages = ", ".join(sorted(script.greetings))
        console.print(f"{file}: ok — {len(script.steps)} steps, greetings in {languages}")


def _alone(text: str, file: str, fmt: service.Format) -> Script:
    """The file checked as a whole script; a layer that only overrides needs ``--for``."""
    layer = parse_layer(text, file, fmt=fmt)
    try:
        return build([layer])
    except ValidationFailed as exc:
        n = len(exc.problems)
        raise ValidationFailed(
            exc.problems,
            f"{n} problem{'s' if n != 1 else ''} found, checked as a whole script "
            "(for a group's or person's layer, add --for ACCOUNT:PERSON or ACCOUNT/group:GROUP)",
        ) from None


@script_app.command("save")
def save(
    who: str = WHO,
    file: Path = typer.Argument(..., help="A script file, YAML or JSON"),
    comment: str = typer.Option("", help="Why this version (kept with it)"),
    by: str = typer.Option("cli", help="Who saves it"),
) -> None:
    """Check and save a new version of a layer (nothing changes if anything is wrong)."""
    with reported(), unit_of_work() as work:
        session = work.session
        text, fmt = _read(file)
        account, owner = service.Owner.parse(who)
        saved = service.save_script(
            session,
            account,
            owner,
            text,
            fmt=fmt,
            file=str(file),
            comment=comment,
            saved_by=by,
            now=work.now,
        )
        console.print(f"saved version {saved.version} of the {owner} script of {account}")


@script_app.command("show")
def show(
    who: str = WHO,
    version: int | None = typer.Option(
        None, help="This version (default: the latest)", min=1, max=INTEGER_MAX
    ),
) -> None:
    """Print a layer as it was saved."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, owner = service.Owner.parse(who)
        found = service.get_version(session, account, owner, version)
        console.print(
            f"# {account} {owner} — version {found.version}, saved "
            f"{found.saved_at:%Y-%m-%d %H:%M} UTC by {found.saved_by or '?'}"
            + (f" ({found.comment})" if found.comment else ""),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        console.print(found.source, highlight=False, markup=False, end="", soft_wrap=True)


@script_app.command("history")
def history(who: str = WHO) -> None:
    """Every version of a layer, oldest first."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, owner = service.Owner.parse(who)
        saved = service.versions(session, account, owner)
        if not saved:
            console.print(f"no version saved for the {owner} of {account}", highlight=False)
        for v in saved:
            line = f"v{v.version}  {v.saved_at:%Y-%m-%d %H:%M}  {v.saved_by or '?'}  {v.comment}"
            console.print(line.rstrip(), highlight=False, markup=False)


@script_app.command("diff")
def diff(
    who: str = WHO,
    old: int = typer.Argument(..., help="The older version", min=1, max=INTEGER_MAX),
    new: int = typer.Argument(..., help="The newer version", min=1, max=INTEGER_MAX),
) -> None:
    """What changed between two versions of a layer (unified diff)."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, owner = service.Owner.parse(who)
        text = service.diff(session, account, owner, old, new)
        console.print(
            text or "(no difference)\n", highlight=False, markup=False, end="", soft_wrap=True
        )


@script_app.command("rollback")
def rollback(
    who: str = WHO,
    version: int = typer.Argument(..., help="The version to bring back", min=1, max=INTEGER_MAX),
    by: str = typer.Option("cli", help="Who rolls back"),
) -> None:
    """Save a new version equal to an old one (every version is kept)."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, owner = service.Owner.parse(who)
        saved = service.rollback(session, account, owner, version, saved_by=by, now=work.now)
        console.print(f"saved version {saved.version} = version {version} of the {owner} script")


@script_app.command("run")
def try_out(
    who: str = typer.Argument(..., help="ACCOUNT or ACCOUNT:PERSON"),
    answer: list[str] = typer.Option([], "--answer", "-a", help="FIELD=VALUE, repeatable"),
    caller: str = typer.Option("", "--from", help="The caller's number (known contacts named)"),
    at: str | None = typer.Option(
        None, help=f"When (default: now), for situation and availability: {TIME_HELP}"
    ),
    lang: str = typer.Option("", help="The script's language (default: the person's)"),
) -> None:
    """Walk the effective script with these answers, as the agent desktop would."""
    with reported(), unit_of_work() as work:
        session = work.session
        account, owner = service.Owner.parse(who)
        if owner.scope == "group":
            raise InvalidInput(
                says("%(who)r: run the script of ACCOUNT or ACCOUNT:PERSON", who=who)
            )
        person = owner.key if owner.scope == "person" else None
        answers = dict(_pair(a) for a in answer)
        now = at_account(session, account, at, work.now)
        trial = preview(
            session, account, person, now=now, caller=caller, lang=lang, answers=answers
        )
        said = trial.greeting.text
        console.print(f"greeting: {said}", highlight=False, markup=False, soft_wrap=True)
        _print_state(trial.state)


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise InvalidInput(
            says("%(text)r: write an answer as FIELD=VALUE, e.g. nom='Jean Leroy'", text=text)
        )
    return key.strip(), value


def _print_state(state: RunState) -> None:
    console.print(f"[dim]script {escape(state.script)}[/]")
    for line in state.lines:
        shown = f"  → {line.answer}" if line.kind == "ask" else ""
        console.print(f"[{line.kind}] {line.text}{shown}", highlight=False, markup=False)
    for error in state.errors:
        console.print(f"[red]✗ {escape(error.step)}: {escape(error.reason)}[/]")
    if state.prompt is not None:
        console.print(
            f"? {state.prompt.text}  ({state.prompt.step})", highlight=False, markup=False
        )
    if state.outcome is not None:
        out = state.outcome
        to = [
            f"person {out.person}" if out.person else "",
            f"group {out.group}" if out.group else "",
        ]
        to += [f"rota {out.rota}" if out.rota else ""]
        to += [f"at {out.callback_at:%Y-%m-%d %H:%M}" if out.callback_at else ""]
        target = " ".join(t for t in to if t)
        console.print(
            f"= {out.action.value} ({out.message.urgency.value})"
            + (f" → {target}" if target else ""),
            highlight=False,
            markup=False,
        )
        if out.note:
            console.print(f"  {out.note}", highlight=False, markup=False)
