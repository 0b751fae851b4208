"""``accueil simulate`` end to end: a report with plots, trace replay, clear errors."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from accueil.cli import app
from accueil.demo.day import run_demo_day

SMALL = ["--workload", "demo", "--set", "arrivals.calls_per_day=300"]


def test_simulate_writes_a_markdown_report_with_plots(tmp_path: Path) -> None:
    args = ["simulate", *SMALL, "--strategy", "accueil,longest_idle", "--report", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "accueil" in result.output and "report.md" in result.output
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| accueil |" in report and "| longest_idle |" in report
    assert "answered within their account's target" in report
    for plot in ("figures.png", "waits.png"):
        assert (tmp_path / plot).read_bytes().startswith(b"\x89PNG")


def test_simulate_replays_a_trace(tmp_path: Path) -> None:
    trace = tmp_path / "day.csv"
    rows = [f"09:{m:02d}:00,acme,boss,fr,120,60" for m in range(30)]
    trace.write_text("arrival,account,person,language,handle_time,patience\n" + "\n".join(rows))
    args = ["simulate", "--workload", "demo", "--strategy", "longest_idle", "--trace", str(trace)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "calls offered per counted day: 30" in result.output


def test_a_bad_trace_names_line_and_column_and_exits_2(tmp_path: Path) -> None:
    trace = tmp_path / "day.csv"
    trace.write_text("arrival,account,person,language,handle_time,patience\n09:00,a,b,fr,x,5\n")
    result = CliRunner().invoke(app, ["simulate", "--workload", "demo", "--trace", str(trace)])
    assert result.exit_code == 2
    words = " ".join(result.output.split())  # the console wraps long lines
    assert "day.csv:2 column 'handle_time': 'x' is not a number of seconds" in words


def test_unknown_strategy_and_bad_override_are_refused() -> None:
    result = CliRunner().invoke(app, ["simulate", "--strategy", "fastest"])
    assert result.exit_code == 1
    assert "choose 'all' or among accueil" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["simulate", "--set", "arrivals.calls_per_day"])
    assert result.exit_code == 1
    assert "expected key=value" in result.output
    result = CliRunner().invoke(app, ["simulate", *SMALL, "--set", "engine.patience=3"])
    assert result.exit_code == 1
    assert "unknown engine parameter patience" in result.output


def test_demo_day_prints_headline_figures_and_the_report(tmp_path: Path) -> None:
    console = Console(record=True, width=160)
    path = run_demo_day(console, tmp_path / "demo-day")
    text = console.export_text()
    assert path == tmp_path / "demo-day" / "report.md"
    assert path.is_file()
    assert "accueil" in text and "longest_idle" in text and "service level" in text
    assert str(path) in text
