"""The root Typer application; command modules attach to it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="accueil",
    help=(
        "accueil: pooled telephone answering that gives every client employee a personal "
        "receptionist. Start with 'accueil demo'."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
