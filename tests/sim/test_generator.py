"""The generator: same seed, same day; the shapes the workload asks for."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from accueil.sim.generator import allocate, generate, zipf_shares
from accueil.sim.scenario import DAY
from accueil.sim.workload import load_workload


def test_same_seed_gives_the_same_day_and_another_seed_another() -> None:
    w1 = load_workload("w1")
    assert generate(w1, 7) == generate(w1, 7)
    assert generate(w1, 7).calls != generate(w1, 8).calls


def test_warm_up_day_comes_first_and_is_not_counted() -> None:
    scenario = generate(load_workload("w1"), 1)
    assert scenario.counted_from == DAY
    warm = [c for c in scenario.calls if c.arrival < DAY]
    assert 0.4 < len(warm) / len(scenario.calls) < 0.6
    assert scenario.counted_calls == len(scenario.calls) - len(warm)


def test_arrivals_peak_mid_morning_and_mid_afternoon() -> None:
    scenario = generate(load_workload("w1"), 3)
    hours = Counter(int((c.arrival % DAY) // 3600) for c in scenario.calls)
    assert set(hours) <= set(range(9, 17))
    assert hours[9] > hours[12] < hours[14]
    assert hours[10] > hours[16]


def test_account_volumes_follow_zipf_and_english_is_a_tenth() -> None:
    w1 = load_workload("w1")
    scenario = generate(w1, 5)
    volumes = Counter(c.account for c in scenario.calls)
    expected = zipf_shares(200, 0.8)
    top = volumes["acc0001"] / len(scenario.calls)
    assert abs(top - expected[0]) < 0.01
    english = sum(c.languages == ("en",) for c in scenario.calls) / len(scenario.calls)
    assert abs(english - 0.10) < 0.01


def test_handle_times_have_the_workload_mean_and_sd() -> None:
    scenario = generate(load_workload("w1"), 2)
    handles = np.array([c.handle_seconds for c in scenario.calls])
    assert abs(handles.mean() - 100) < 2.5
    assert abs(handles.std() - 60) < 4


def test_nobody_hangs_up_within_the_grace_then_patience_averages_80() -> None:
    scenario = generate(load_workload("w1"), 2)
    patience = np.array([c.patience_seconds for c in scenario.calls])
    assert patience.min() >= 10
    assert abs((patience - 10).mean() - 80) < 3


def test_a_third_of_each_group_speaks_english() -> None:
    scenario = generate(load_workload("w1"), 1)
    english = Counter(a.site for a in scenario.agents if "en" in a.languages)
    assert english == {"A": 8, "B": 7, "home": 5}
    assert all("fr" in a.languages for a in scenario.agents)


def test_breaks_fall_inside_their_window() -> None:
    demo = load_workload("demo")
    scenario = generate(demo, 4)
    with_breaks = [p for p in scenario.presences if p.breaks]
    assert with_breaks
    for presence in with_breaks:
        for start, end in presence.breaks:
            assert presence.start <= start < end <= presence.end


def test_allocate_keeps_the_total_and_the_minimum() -> None:
    counts = allocate(6000, zipf_shares(200, 0.8))
    assert sum(counts) == 6000
    assert min(counts) >= 1
    assert counts == sorted(counts, reverse=True)


@given(
    total=st.integers(min_value=1, max_value=50_000),
    parts=st.integers(min_value=1, max_value=300),
    exponent=st.floats(min_value=0.0, max_value=3.0),
)
def test_allocation_always_adds_up_and_respects_the_minimum(
    total: int, parts: int, exponent: float
) -> None:
    assume(total >= parts)
    counts = allocate(total, zipf_shares(parts, exponent))
    assert sum(counts) == total
    assert len(counts) == parts
    assert min(counts) >= 1


def test_only_home_agents_lose_their_link_and_within_their_shift() -> None:
    demo = load_workload("demo")
    scenario = generate(demo, 6)
    home = {a.key for a in scenario.agents if a.site == "home"}
    dropped = [p for p in scenario.presences if p.dropouts]
    assert dropped
    assert {p.agent for p in dropped} <= home
    for presence in dropped:
        for start, end in presence.dropouts:
            assert presence.start <= start <= end <= presence.end
