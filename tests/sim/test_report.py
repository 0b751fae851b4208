"""The report: mean ± spread over seeds, the trade-off curve, plots that open as PNG."""

from __future__ import annotations

from pathlib import Path

from accueil.sim.report import summarise, write_report
from accueil.sim.runner import simulate, tradeoff
from accueil.sim.workload import load_workload


def test_report_over_seeds_shows_spread_and_the_trade_off(tmp_path: Path) -> None:
    workload = load_workload("demo").overridden({"arrivals.calls_per_day": 250})
    runs = simulate(workload, ["accueil", "longest_idle"], [1, 2])
    summaries = summarise(runs)
    assert [s.strategy for s in summaries] == ["accueil", "longest_idle"]
    assert summaries[0].seeds == (1, 2)
    assert " ± " in summaries[0].cell("SL")
    points = {
        0.0: {"budget": "fixed", "person_ring_seconds": 0.0, "account_ring_seconds": 0.0},
        30.0: {"budget": "fixed", "person_ring_seconds": 9.0, "account_ring_seconds": 21.0},
    }
    curve = tradeoff(workload, 1, points)
    path = write_report(tmp_path, workload, runs, tradeoff=curve)
    text = path.read_text(encoding="utf-8")
    assert "seeds: 1, 2 (figures are mean ± standard deviation)" in text
    assert "| 30 |" in text and "## Trade-off" in text
    assert (tmp_path / "tradeoff.png").read_bytes().startswith(b"\x89PNG")
