"""The report's plots carry the data a supervisor needs: values, spread, fitted axes, targets
told apart, and the day by 15-minute interval (checked on the figures' data, not pixels)."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from matplotlib.colors import to_hex

from accueil.sim import plots
from accueil.sim.intervals import Interval, by_interval
from accueil.sim.metrics import Figures
from accueil.sim.outcomes import CallResult, Fate
from accueil.sim.report import intervals_table, write_report
from accueil.sim.runner import simulate
from accueil.sim.scenario import DAY, Presence
from accueil.sim.workload import load_workload


def _figures(strategy: str, level: float, waits: list[float], calls: float = 10.0) -> Figures:
    slots = (Interval(9 * 3600, calls, calls * level, 3.0), Interval(9.25 * 3600, 4, 4, 2.5))
    return Figures(
        strategy=strategy, offered=100, answered=95, abandoned=5, short_abandoned=0,
        overflowed=0, service_level=level, average_speed_of_answer=3.0, abandonment=0.05,
        account_affinity=level / 2, person_affinity=level / 3, occupancy=0.8,
        worst_accounts_service_level=level - 0.1, wait_percentiles=(), affinity_by_size=(),
        waits=tuple(waits), intervals=slots,
    )  # fmt: skip


RUNS = {
    "accueil": [_figures("accueil", 0.90, [0] * 90 + [5, 12, 25]), _figures("accueil", 0.94, [0] * 92 + [8, 30])],  # noqa: E501
    "longest_idle": [_figures("longest_idle", 0.88, [0] * 88 + [4, 9, 40]), _figures("longest_idle", 0.92, [0] * 91 + [6, 20])],  # noqa: E501
}  # fmt: skip


def test_headline_bars_are_means_with_their_values_and_spread() -> None:
    axes = plots.headline_figure(RUNS).axes[0]
    bars = axes.containers
    assert len(bars) == 2 * 2  # per strategy: the bars, and their value labels' container
    accueil = next(c for c in bars if c.get_label() == "accueil")
    heights = [patch.get_height() for patch in accueil.patches]
    assert heights[0] == pytest.approx(92.0)  # SL, mean of 90 and 94
    assert heights[2] == pytest.approx(46.0)  # account affinity
    error = accueil.errorbar.lines[2][0].get_segments()[0]
    assert error[1][1] - error[0][1] == pytest.approx(2 * statistics.stdev([90, 94]))
    labels = [t.get_text() for t in axes.texts]
    assert "92.0" in labels and "90.0" in labels  # longest_idle's SL: mean of 88 and 92
    assert "mean of 2 seeds" in axes.get_title()


def test_one_seed_has_values_and_no_error_bars() -> None:
    axes = plots.headline_figure({s: f[:1] for s, f in RUNS.items()}).axes[0]
    assert all(c.errorbar is None for c in axes.containers if hasattr(c, "errorbar"))
    assert "90.0" in [t.get_text() for t in axes.texts]


def test_the_waits_axis_is_fitted_and_the_targets_told_apart() -> None:
    targets = {"target premium": 10.0, "target standard": 20.0, "target economy": 30.0}
    axes = plots.waits_figure(RUNS, targets).axes[0]
    low, high = axes.get_ylim()
    lowest = 88 / 91  # longest_idle's first seed: the lowest share at wait 0
    assert 0.85 <= low < lowest
    assert high == pytest.approx(1.005)
    lines = [line for line in axes.lines if line.get_label().startswith("target")]
    assert len(lines) == 3
    assert len({to_hex(line.get_color()) for line in lines}) == 3
    assert len({str(line.get_linestyle()) for line in lines}) == 3
    named = [t.get_text() for t in axes.texts]
    assert named == ["target premium 10 s", "target standard 20 s", "target economy 30 s"]
    assert len(axes.collections) == 2  # one band of spread per strategy over 2 seeds
    assert axes.get_xlim()[1] >= 30.0


def test_the_waits_axis_starts_at_the_first_answer_not_at_zero() -> None:
    rung = {"accueil": [_figures("accueil", 0.9, [2.0] * 95 + [9.0] * 5)]}
    low, _ = plots.waits_figure(rung, {"target": 10.0}).axes[0].get_ylim()
    assert 0.9 <= low < 0.95  # 95% answered after the 2 s ring; nothing below that to show


def test_the_interval_view_shows_service_level_against_calls_and_staffing() -> None:
    figure = plots.intervals_figure(RUNS)
    top, bottom, staffing = figure.axes
    accueil = next(line for line in top.lines if line.get_label() == "accueil")
    assert list(accueil.get_ydata()) == pytest.approx([92.0, 100.0])
    assert [p.get_height() for p in bottom.patches] == pytest.approx([10.0, 4.0])
    assert list(staffing.lines[0].get_ydata()) == pytest.approx([3.0, 2.5])
    assert len(top.collections) == 2  # spread over seeds


def _call(key: str, arrival: float, fate: Fate, waited: float) -> CallResult:
    return CallResult(key, "acme", "", arrival, fate, waited, agent="a")


def test_calls_and_staffing_are_counted_by_interval_per_counted_day() -> None:
    nine = 9 * 3600.0
    calls = [
        _call("1", DAY + nine + 60, Fate.ANSWERED, 5),  # day 2, 09:01, within target
        _call("2", DAY + nine + 600, Fate.ANSWERED, 50),  # 09:10, too late
        _call("3", 2 * DAY + nine + 100, Fate.ABANDONED, 30),  # day 3, 09:01
        _call("4", 2 * DAY + nine + 1000, Fate.ANSWERED, 1),  # day 3, 09:16
    ]
    presences = [
        Presence("a", DAY + nine, DAY + nine + 1800),  # 09:00-09:30 on day 2
        Presence("b", 2 * DAY + nine, 2 * DAY + nine + 1800, breaks=((2 * DAY + nine + 900, 2 * DAY + nine + 1350),)),  # noqa: E501
        Presence("c", nine, nine + 900),  # the warm-up day: not counted
    ]  # fmt: skip
    slots = by_interval(calls, {"acme": 20.0}, presences, counted_from=DAY)
    assert [s.label for s in slots] == ["09:00", "09:15"]
    first, second = slots
    assert first.offered == pytest.approx(1.5)  # 3 calls over 2 counted days
    assert first.service_level == pytest.approx(1 / 3)
    assert first.staffed == pytest.approx(1.0)  # a on day 2, b on day 3
    assert second.offered == pytest.approx(0.5)
    assert second.service_level == pytest.approx(1.0)
    assert second.staffed == pytest.approx((1.0 + 0.5) / 2)  # b on a break half the slot


def test_the_report_has_the_interval_table_and_plot_over_seeds(tmp_path: Path) -> None:
    workload = load_workload("demo").overridden({"arrivals.calls_per_day": 200})
    runs = simulate(workload, ["accueil", "longest_idle"], [1, 2])
    path = write_report(tmp_path, workload, runs)
    text = path.read_text(encoding="utf-8")
    assert "## By 15-minute interval" in text
    assert "| interval | calls | agents | SL accueil | SL longest_idle |" in text
    assert " ± " in text.split("## By 15-minute interval")[1]
    assert "mean of 2 seeds" in text
    for name in ("figures.png", "waits.png", "intervals.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    table = intervals_table({"accueil": [runs[0].figures]})
    total = sum(float(row.split("|")[2]) for row in table.splitlines()[2:])
    assert total == pytest.approx(runs[0].figures.offered / workload.simulation.days)
