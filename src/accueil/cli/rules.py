"""``accueil rules``: check, save, show rules; print their JSON Schema.

Also ``accueil lists`` (caller lists), ``accueil contacts`` and ``accueil rota``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml

from accueil.cli.app import app
from accueil.cli.availability import person_ref
from accueil.cli.common import console, reported, unit_of_work
from accueil.core.rules import Scope, load_text, parse_document, rules_schema
from accueil.errors import InvalidInput
from accueil.services import callers
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
        raise InvalidInput(f"{file}: cannot read it ({exc.strerror})", file=str(file)) from None


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
) -> None:
    """Create or replace a caller list."""
    with reported(), unit_of_work() as work:
        session = work.session
        entries: list[str | tuple[str, str]] = []
        for item in numbers:
            number, sep, label = item.partition("=")
            entries.append((number, label) if sep else number)
        found = callers.set_caller_list(session, account, key, entries, name=name, now=work.now)
        console.print(f"{account}: list {key!r} has {len(found.entries)} entries")


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


@rota_app.command("set")
def set_rota(
    account: str = typer.Argument(...),
    file: Path = typer.Argument(..., help="A rota in YAML or JSON: key, name, shifts"),
) -> None:
    """Create or replace an on-call rota."""
    with reported(), unit_of_work() as work:
        session = work.session
        data = load_text(_read(file), str(file))
        if not isinstance(data, dict):
            raise InvalidInput(f"{file}: a rota is a mapping with key, name and shifts")
        rota = callers.set_rota(session, account, data, file=str(file), now=work.now)
        console.print(f"{account}: rota {rota.key!r} with {len(rota.shifts)} shifts")
