"""``accueil switchboard``: the live switchboard's journal rows moved aside (quarantine)."""

from __future__ import annotations

from typing import Annotated

import typer

from accueil.cli.app import app
from accueil.cli.common import console, reported, unit_of_work
from accueil.core.storable import BIGINT_MAX

switchboard_app = typer.Typer(
    help="The live switchboard: the journal rows a take-over could not load (quarantine).",
    no_args_is_help=True,
)
app.add_typer(switchboard_app, name="switchboard")


@switchboard_app.command("quarantine")
def quarantine(
    after: Annotated[
        int,
        typer.Option(min=0, max=BIGINT_MAX, help="only the rows after this journal place (seq)"),
    ] = 0,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="rows at most")] = 100,
    as_json: Annotated[
        bool, typer.Option("--json", help="one JSON document a row, with its body as it was")
    ] = False,
) -> None:
    """The journal rows a take-over could not load, moved aside whole with the reason, in
    journal order: their place, term and time, what they were, why, and (--json) the body."""
    import json

    from rich.table import Table

    from accueil.services.quarantine import read_quarantine

    with reported(), unit_of_work() as work:
        found = read_quarantine(work.session, after=after or None, limit=limit)
    if as_json:
        for row in found:
            document = {
                "seq": row.seq, "term": row.term, "at": row.at, "kind": row.kind,
                "reason": row.reason, "moved_at": row.moved_at.isoformat(), "body": row.body,
                "body_hex": row.body_hex,
            }  # fmt: skip
            typer.echo(json.dumps(document, ensure_ascii=False))
        return
    if not found:
        console.print("no journal row is quarantined")
        return
    table = Table("seq", "term", "at (s)", "kind", "moved at", "reason")
    for row in found:
        table.add_row(
            str(row.seq), str(row.term), f"{row.at:.3f}", row.kind,
            row.moved_at.isoformat(timespec="seconds"), row.reason,
        )  # fmt: skip
    console.print(table)
