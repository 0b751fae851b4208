"""Trace replay: an operator's CSV day becomes a scenario; bad rows say file, line, column, why."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from accueil.errors import ValidationFailed
from accueil.sim.scenario import DAY
from accueil.sim.trace import read_trace, trace_scenario
from accueil.sim.workload import load_workload

GOOD = """\
arrival,account,person,language,handle_time,patience
09:00:04,cabinet-martin,paul,fr,95.5,60
09:01,garage-lefevre,,en,140,
2026-03-02T09:02:30,cabinet-martin,paul,fr,30,45
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "day.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_trace_rows_are_read_with_times_of_day_and_date_times(tmp_path: Path) -> None:
    rows = read_trace(_write(tmp_path, GOOD))
    assert [r.arrival for r in rows] == [32404.0, 32460.0, 32550.0]
    assert rows[1].person == ""
    assert math.isinf(rows[1].patience_seconds)
    assert rows[0].handle_seconds == 95.5


def test_trace_day_is_played_for_warm_up_then_counted(tmp_path: Path) -> None:
    scenario = trace_scenario(load_workload("w1"), read_trace(_write(tmp_path, GOOD)), seed=1)
    assert len(scenario.calls) == 6
    assert scenario.counted_calls == 3
    assert scenario.calls[3].arrival == DAY + 32404.0
    assert {a.key for a in scenario.accounts} == {"cabinet-martin", "garage-lefevre"}
    assert scenario.calls[1].person == ""  # the switchboard
    assert scenario.calls[0].person == "cabinet-martin.paul"
    assert len(scenario.agents) == 60


def test_every_bad_cell_is_reported_with_its_line_and_column(tmp_path: Path) -> None:
    text = GOOD + "25:00,acme,x,fr,10,5\n09:10,,x,french,-3,soon\n"
    with pytest.raises(ValidationFailed) as caught:
        read_trace(_write(tmp_path, text))
    where = [(p.line, p.column) for p in caught.value.problems]
    assert where == [
        (5, "arrival"),
        (6, "account"),
        (6, "language"),
        (6, "handle_time"),
        (6, "patience"),
    ]
    assert all(p.file.endswith("day.csv") for p in caught.value.problems)
    assert "'soon' is not a number of seconds" in str(caught.value)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="missing: patience"):
        read_trace(
            _write(tmp_path, "arrival,account,person,language,handle_time\n09:00,a,b,fr,3\n")
        )


def test_a_trace_over_several_dates_is_refused(tmp_path: Path) -> None:
    text = GOOD + "2026-03-03T09:00:00,acme,x,fr,10,5\n"
    with pytest.raises(ValidationFailed, match="several dates"):
        read_trace(_write(tmp_path, text))


def test_an_empty_trace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="no calls"):
        read_trace(_write(tmp_path, "arrival,account,person,language,handle_time,patience\n"))
