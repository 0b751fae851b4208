"""``accueil rules``: check, save, show rules; print their JSON Schema.

Also ``accueil lists`` (caller lists), ``accueil contacts`` and ``accueil rota``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Protocol

import typer
import yaml

from accueil.cli.app import app
from accueil.cli.availability import person_ref
from accueil.cli.common import cannot_read, cli_user, console, reported, unit_of_work
from accueil.core.rules import Scope, load_text, parse_document, rules_schema
from accueil.core.storable import INTEGER_MAX
from accueil.errors import InvalidInput, says
from accueil.services import caller_lists, callers, rotas
from accueil.services import rules as service

rules_app = typer.Typer(help="Per-person, group and account rules: when … then ….")
lists_app = typer.Typer(help="Named caller lists: VIP, blocked, family.")
contacts_app = typer.Typer(help="The account's known contacts.")
rota_app = typer.Typer(help="On-call rotas.")
app.add_typer(rules_app, name="rules")
app.add_typer(lists_app, name="lists")
app.add_typer(contacts_app, name="contacts")
app.add_typer(rota_app, name="rota")


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(cannot_read(file, exc), file=str(file)) from None


@rules_app.command("check")
def check(
    file: Path = typer.Argument(..., help="A rules file, YAML or JSON"),
    offline: bool = typer.Option(
        False, help="Check the shape only, not devices, lists and rotas in the database"
    ),
) -> None:
    """Validate a rules file; print every problem with its path. Exit 2 if any."""
    with reported():
        text = _read(file)
        if offline:
            document = parse_document(load_text(text, str(file)), str(file), text)
        else:
            with unit_of_work() as work:
                session = work.session
                document = service.check_text(session, text, str(file))
        owner = document.owner or "(account defaults)"
        console.print(f"{file}: {len(document.rules)} rules for {document.account} {owner}: ok")


@rules_app.command("set")
def set_rules(
    file: Path = typer.Argument(..., help="A rules file, YAML or JSON"),
    by: str = typer.Option("cli", help="Who saves them (kept with the version)"),
) -> None:
    """Check and save a rules file as the owner's next version."""
    with reported(), unit_of_work() as work:
        session = work.session
        text = _read(file)
        data = load_text(text, str(file))
        account = data.get("account", "") if isinstance(data, dict) else ""
        saved = service.save_rules(
            session, str(account), data, saved_by=by, file=str(file), text=text, now=work.now
        )
        owner = saved.owner or "(account defaults)"
        console.print(f"saved version {saved.version} of {saved.account} {owner}")


@rules_app.command("show")
def show(
    who: str = typer.Argument(..., help="ACCOUNT:PERSON, or ACCOUNT for the defaults"),
    group: str | None = typer.Option(None, help="Show this group's rules instead"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print the current rules (YAML by default)."""
    with reported(), unit_of_work() as work:
        session = work.session
        if ":" in who:
            account, person = person_ref(who)
            found = service.get_rules(session, account, Scope.PERSON, person)
        elif group:
            found = service.get_rules(session, who, Scope.GROUP, group)
        else:
            found = service.get_rules(session, who, Scope.ACCOUNT)
        data = found.document().model_dump(mode="json", by_alias=True, exclude_none=True)
        text = (
            json.dumps(data, indent=2, ensure_ascii=False)
            if as_json
            else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
        console.print(f"# version {found.version}", highlight=False)
        for broken in found.broken:
            text = f"# not shown: rule {broken.rule!r}, {broken.note}"
            console.print(text, highlight=False, markup=False, soft_wrap=True)
        console.print(text, highlight=False, markup=False)


@rules_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a rules document."""
    console.print_json(json.dumps(rules_schema()))


@lists_app.command("set")
def set_list(
    account: str = typer.Argument(...),
    key: str = typer.Argument(..., help="The list's key: VIP, blocked, family"),
    numbers: list[str] = typer.Argument(..., help="Numbers, or '+prefix*'; NUMBER=label"),
    name: str = typer.Option(""),
    version: int | None = typer.Option(
        None,
        "--version",
        help="The version you read: refused if someone saved since",
        min=1,
        max=INTEGER_MAX,
    ),
) -> None:
    """Save a caller list as its next version (the earlier ones are kept)."""
    with reported(), unit_of_work() as work:
        entries: list[str | tuple[str, str]] = []
        for item in numbers:
            number, sep, label = item.partition("=")
            entries.append((number, label) if sep else number)
        found = caller_lists.save_caller_list(
            work.session,
            account,
            key,
            entries,
            name=name,
            now=work.now,
            saved_by=cli_user(),
            expected_version=version,
        )
        text = f"{account}: list {key!r} version {found.version} has {len(found.entries)} entries"
        console.print(text, highlight=False)


@lists_app.command("show")
def show_list(
    account: str = typer.Argument(...),
    key: str = typer.Argument(..., help="The list's key"),
    version: int | None = typer.Option(
        None, "--version", help="An earlier version", min=1, max=INTEGER_MAX
    ),
    history: bool = typer.Option(False, "--history", help="Every version, newest first"),
) -> None:
    """Print a caller list (its version in force, an earlier one, or its history)."""
    with reported(), unit_of_work() as work:
        if history:
            found = caller_lists.caller_list_versions(work.session, account, key)
        elif version is not None:
            found = [caller_lists.caller_list_version(work.session, account, key, version)]
        else:
            found = [caller_lists.get_caller_list(work.session, account, key)]
    for saved in found:
        _print_version_head(saved.key, saved.name, saved)
        if not history:
            for e in saved.entries:
                line = f"{e.pattern}={e.label}" if e.label else e.pattern
                console.print(line, highlight=False, markup=False)


@lists_app.command("remove")
def remove_list(
    account: str = typer.Argument(...),
    key: str = typer.Argument(..., help="The list's key"),
) -> None:
    """Take a caller list down (kept with its versions, who and when; calls no longer match
    it); refused while a rule in force names it."""
    with reported(), unit_of_work() as work:
        gone = caller_lists.remove_caller_list(
            work.session, account, key, by=cli_user(), now=work.now
        )
        console.print(f"{account}: list {gone.key!r} is no longer used", highlight=False)


@contacts_app.command("add")
def add_contact(
    account: str = typer.Argument(...),
    number: str = typer.Argument(...),
    name: str = typer.Argument(..., help="Who they are: 'Dupont SA — M. Leroy'"),
) -> None:
    """Add (or rename) a known contact of the account."""
    with reported(), unit_of_work() as work:
        session = work.session
        e164 = callers.add_contact(session, account, number, name, now=work.now)
        console.print(f"{account}: {e164} is {name}", highlight=False)


@contacts_app.command("remove")
def remove_contact(
    account: str = typer.Argument(...),
    number: str = typer.Argument(..., help="The contact's number, as typed"),
) -> None:
    """Take a known contact down (kept with who and when; calls from it are unknown again)."""
    with reported(), unit_of_work() as work:
        gone = callers.remove_contact(work.session, account, number, by=cli_user(), now=work.now)
        console.print(f"{account}: {gone.e164} ({gone.name}) is no longer known", highlight=False)


@rota_app.command("set")
def set_rota(
    account: str = typer.Argument(...),
    file: Path = typer.Argument(..., help="A rota in YAML or JSON: key, name, shifts"),
) -> None:
    """Save an on-call rota as its next version (the earlier ones are kept)."""
    with reported(), unit_of_work() as work:
        session = work.session
        data = load_text(_read(file), str(file))
        if not isinstance(data, dict):
            raise InvalidInput(
                says("%(file)s: a rota is a mapping with key, name and shifts", file=file)
            )
        rota = callers.set_rota(
            session, account, data, file=str(file), now=work.now, saved_by=cli_user()
        )
        console.print(f"{account}: rota {rota.key!r} with {len(rota.shifts)} shifts")


@rota_app.command("show")
def show_rota(
    account: str = typer.Argument(...),
    key: str = typer.Argument(..., help="The rota's key"),
    version: int | None = typer.Option(
        None, "--version", help="An earlier version", min=1, max=INTEGER_MAX
    ),
    history: bool = typer.Option(False, "--history", help="Every version, newest first"),
) -> None:
    """Print an on-call rota (its version in force, an earlier one, or its history)."""
    with reported(), unit_of_work() as work:
        if history:
            found = rotas.rota_versions(work.session, account, key)
        elif version is not None:
            found = [rotas.rota_version(work.session, account, key, version)]
        else:
            found = [rotas.rota_record(work.session, account, key)]
    for saved in found:
        _print_version_head(key, saved.rota.name, saved)
        if not history:
            for shift in saved.rota.shifts:
                data = shift.model_dump(mode="json", by_alias=True, exclude_none=True)
                console.print(json.dumps(data, ensure_ascii=False), highlight=False, markup=False)


class _Saved(Protocol):
    """A kept version of a caller list or a rota, as the CLI prints its head."""

    @property
    def version(self) -> int: ...
    @property
    def saved_at(self) -> datetime | None: ...
    @property
    def saved_by(self) -> str | None: ...
    @property
    def removed_at(self) -> datetime | None: ...
    @property
    def removed_by(self) -> str | None: ...


def _print_version_head(key: str, name: str, saved: _Saved) -> None:
    """A kept version's head line (and its removal, if taken down), as lists and rotas print."""
    when = saved.saved_at.isoformat() if saved.saved_at else "?"
    head = f"# {key} ({name}) version {saved.version}, saved {when}"
    console.print(head + (f" by {saved.saved_by}" if saved.saved_by else ""), highlight=False)
    if saved.removed_at:
        gone = f"# removed {saved.removed_at.isoformat()} by {saved.removed_by}"
        console.print(gone, highlight=False)


@rota_app.command("remove")
def remove_rota(
    account: str = typer.Argument(...),
    key: str = typer.Argument(..., help="The rota's key"),
) -> None:
    """Take an on-call rota down (kept with its versions, who and when; no call or escalation
    reaches it); refused while a rule, a script step or an escalation names it."""
    with reported(), unit_of_work() as work:
        gone = callers.remove_rota(work.session, account, key, by=cli_user(), now=work.now)
        console.print(f"{account}: rota {gone.rota.key!r} is no longer used", highlight=False)
