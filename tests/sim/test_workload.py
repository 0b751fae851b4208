"""Workload files: the packaged ones load, mistakes are reported with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from accueil.errors import NotFound, ValidationFailed
from accueil.sim.workload import load_workload, packaged_names, parse_workload

MINIMAL = """\
name: tiny
arrivals:
  calls_per_day: 100
accounts: {count: 3, zipf: 1.0}
people: {count: 6, zipf: 1.0}
calls:
  outcomes:
    - {name: handled, share: 1.0, mean_seconds: 60, sd_seconds: 20}
agents:
  groups:
    - {name: a, site: A, count: 2}
"""


def test_w1_matches_the_issue() -> None:
    w1 = load_workload("w1")
    assert w1.agent_count == 60
    assert [g.count for g in w1.agents.groups] == [25, 20, 15]
    assert (w1.accounts.count, w1.accounts.zipf) == (200, 0.8)
    assert (w1.people.count, w1.people.zipf) == (6000, 1.0)
    assert w1.calls.english_share == 0.10
    assert (w1.calls.outcomes[0].mean_seconds, w1.calls.outcomes[0].sd_seconds) == (100, 60)
    assert w1.calls.wrap_up_seconds == 20
    assert (w1.calls.patience_grace_seconds, w1.calls.patience_mean_seconds) == (10, 80)
    assert w1.agents.miss_probability == 0.02
    assert w1.simulation.warmup_days == 1
    assert w1.arrivals.hours == "09:00-17:00"
    assert [p.at for p in w1.arrivals.peaks] == ["10:00", "14:30"]


def test_impatient_callers_are_w1_without_the_grace() -> None:
    """The suite's workload where callers may hang up from the first second (session 11)."""
    w1, impatient = load_workload("w1"), load_workload("impatient")
    assert (impatient.calls.patience_grace_seconds, impatient.calls.patience_mean_seconds) == (
        0,
        90,
    )
    assert (
        impatient.calls.model_copy(
            update={"patience_grace_seconds": 10, "patience_mean_seconds": 80}
        )
        == w1.calls
    )
    assert (impatient.arrivals, impatient.accounts, impatient.people, impatient.agents) == (
        w1.arrivals,
        w1.accounts,
        w1.people,
        w1.agents,
    )


def test_every_packaged_workload_loads() -> None:
    assert {"w1", "demo"} <= set(packaged_names())
    for name in packaged_names():
        assert load_workload(name).agent_count > 0


def test_unknown_workload_names_the_packaged_ones() -> None:
    with pytest.raises(NotFound, match="w1"):
        load_workload("w9")


def test_mistake_is_reported_with_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace("count: 2}", "count: -2}"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_workload(path)
    (problem,) = caught.value.problems
    assert problem.file == str(path)
    assert problem.line == 11
    assert problem.field == "agents.groups.0.count"


def test_shares_that_do_not_add_up_are_refused() -> None:
    text = MINIMAL.replace("share: 1.0, mean", "share: 0.5, mean")
    with pytest.raises(ValidationFailed, match="1 problem") as caught:
        parse_workload(text, "x.yaml")
    assert "add up to 1" in str(caught.value)


def test_a_bad_time_of_day_is_explained() -> None:
    text = MINIMAL.replace("count: 2}", "count: 2, shift: '9h-17h'}")
    with pytest.raises(ValidationFailed) as caught:
        parse_workload(text, "x.yaml")
    assert "'9h-17h' is not a range like '09:00-17:00'" in str(caught.value)


def test_overrides_replace_dotted_parameters_and_check_them() -> None:
    tiny = parse_workload(MINIMAL, "x.yaml")
    assert tiny.overridden({"arrivals.calls_per_day": 250}).arrivals.calls_per_day == 250
    assert tiny.overridden({"engine.wait_budget": 12}).engine == {"wait_budget": 12}
    with pytest.raises(ValidationFailed, match="unknown parameter"):
        tiny.overridden({"arrivals.calls_per_hour": 3})
    with pytest.raises(ValidationFailed):
        tiny.overridden({"arrivals.calls_per_day": -1})


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_workload("name: x\narrivals: [1, 2\n", "broken.yaml")
    assert caught.value.problems[0].line is not None
