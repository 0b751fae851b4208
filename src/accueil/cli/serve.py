"""``accueil serve`` (the HTTP API) and ``accueil user`` / ``accueil token`` (who may use it)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from accueil.cli.app import app
from accueil.cli.common import console, reported, unit_of_work
from accueil.errors import InvalidInput, says
from accueil.services import users
from accueil.store.db import migrate

user_app = typer.Typer(help="Users of the API and their roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default 127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on (default 8080)")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="processes serving the API on the same port; more than one needs "
            "ACCUEIL_SWITCHBOARD=false (the switchboard runs in one process)",
        ),
    ] = 1,
    telephony: Annotated[
        str | None,
        typer.Option(
            help="the switchboard's telephony: none, simulated, sip (Kamailio, "
            "docs/telephony.md) or remote; default ACCUEIL_TELEPHONY or none"
        ),
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI at /api/v1/openapi.json, browsable at /docs)."""
    # The options and settings are checked before the API and the switchboard are loaded
    # (seconds): a wrong one is refused at once.
    from accueil.api.settings import server_settings
    from accueil.store.db import make_engine

    # --host and --port reach the app's settings (the switchboard tells agents where it is)
    # in this process and in each worker's, as the environment does
    if host:
        os.environ["ACCUEIL_HOST"] = host
    if port:
        os.environ["ACCUEIL_PORT"] = str(port)
    with reported():
        if telephony not in (None, "none", "simulated", "sip", "remote"):
            raise InvalidInput(
                says("--telephony %(given)r: none, simulated, sip or remote", given=telephony)
            )
        if telephony:
            os.environ["ACCUEIL_TELEPHONY"] = telephony
        settings = server_settings()
        if settings.telephony == "sip":
            from accueil.sip.server_settings import sip_settings

            sip_settings(settings)  # a wrong SIP setting stops here, with the field and why
        if workers > 1 and settings.switchboard:
            raise InvalidInput(
                "the switchboard (the agents' desks, the live calls) runs in one process: "
                "with --workers above 1, set ACCUEIL_SWITCHBOARD=false",
                field="workers",
            )
        engine = make_engine()
        migrate(engine)
        engine.dispose()
    import uvicorn

    from accueil.api.app import served_app

    if workers > 1:  # each worker process makes its app from the settings and the environment
        _log_options_to_environment(ctx)
    uvicorn.run(
        served_app() if workers == 1 else "accueil.api.app:served_app",
        factory=workers > 1,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="warning",  # accueil logs each request itself, with its request id
        access_log=False,
        proxy_headers=False,
    )


def _log_options_to_environment(ctx: typer.Context) -> None:
    """``--log-format`` and ``--log-level`` reach the worker processes as ACCUEIL_LOG_*."""
    chosen = ctx.find_root().params
    for option, variable in (
        ("log_format", "ACCUEIL_LOG_FORMAT"),
        ("log_level", "ACCUEIL_LOG_LEVEL"),
    ):
        if chosen.get(option):
            os.environ[variable] = str(chosen[option])


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="the user's sign-in name")],
    role: Annotated[
        str,
        typer.Option(help="operator_admin, supervisor, agent, client_admin or employee"),
    ],
    account: Annotated[str | None, typer.Option(help="client admin, employee: the account")] = None,
    person: Annotated[str | None, typer.Option(help="employee: their person key")] = None,
    agent: Annotated[str | None, typer.Option(help="agent: their agent key")] = None,
    password: Annotated[
        bool, typer.Option("--password", help="ask for a password (for signing in)")
    ] = False,
) -> None:
    """Add a user with a role (and an account, for a client's users)."""
    with reported():
        secret = None
        if password:
            secret = typer.prompt("password", hide_input=True, confirmation_prompt=True)
        with unit_of_work() as work:
            made = users.add_user(
                work.session,
                name,
                users.parse_role(role),
                account=account,
                person=person,
                agent=agent,
                password=secret,
                now=work.now,
            )
        where = f" of {made.account}" if made.account else ""
        console.print(f"user {made.name}: {made.role.value}{where}", highlight=False)


@user_app.command("list")
def user_list() -> None:
    """The users, their roles and accounts."""
    with reported(), unit_of_work() as work:
        for u in users.list_users(work.session):
            state = "" if u.active else " (deactivated)"
            where = f" {u.account}" if u.account else ""
            who = f" {u.person}" if u.person else ""
            console.print(f"{u.name}\t{u.role.value}{where}{who}{state}", highlight=False)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Argument(help="the user the token acts for")],
    label: Annotated[str, typer.Option(help="what the token is for")] = "",
) -> None:
    """Create an API token; it is printed once and never shown again."""
    with reported(), unit_of_work() as work:
        made = users.create_token(work.session, user, label, now=work.now)
    console.print(made.secret, highlight=False)


@token_app.command("list")
def token_list(user: Annotated[str | None, typer.Option(help="one user's tokens")] = None) -> None:
    """Tokens (their public prefix only), with last use and revocation."""
    with reported(), unit_of_work() as work:
        for t in users.list_tokens(work.session, user):
            used = t.last_used_at.isoformat() if t.last_used_at else "never used"
            gone = f" revoked {t.revoked_at.isoformat()}" if t.revoked_at else ""
            console.print(f"{t.prefix}\t{t.user}\t{t.label}\t{used}{gone}", highlight=False)


@token_app.command("revoke")
def token_revoke(
    prefix: Annotated[str, typer.Argument(help="the token's prefix, or the token")],
) -> None:
    """Revoke a token: it stops working at once."""
    with reported():
        parts = prefix.split("_", 2)
        key = parts[1] if len(parts) == 3 and parts[0] == "acc" else prefix
        if not key:
            raise InvalidInput(says("name the token's prefix"))
        with unit_of_work() as work:
            t = users.revoke_token(work.session, key, now=work.now)
        console.print(f"token {t.prefix} of {t.user} revoked", highlight=False)
