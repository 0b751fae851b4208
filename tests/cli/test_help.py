"""``accueil --help`` groups every command under a heading a user recognises."""

from __future__ import annotations

from typer.testing import CliRunner

from accueil.cli import PANELS, app


def test_help_starts_with_the_demo_and_lists_each_panel() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    headings = [line for line in result.output.splitlines() if line.startswith("╭─ ")]
    assert [h.split("─ ")[1].split(" ─")[0] for h in headings] == ["Options", *PANELS]
    assert next(iter(PANELS)) == "Start here"
    assert PANELS["Start here"] == ("demo",)
