"""The figures follow issue 4's definitions exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accueil.sim.metrics import CallResult, Fate, affinity_by_size, familiar_flags, figures
from accueil.sim.scenario import DAY, AccountSpec, AgentSpec, Presence, Scenario


def _scenario(**kwargs: object) -> Scenario:
    base: dict[str, object] = {
        "name": "t",
        "accounts": (AccountSpec("a", "standard", 20), AccountSpec("b", "premium", 10)),
        "agents": (AgentSpec("x", "A", ("fr",)), AgentSpec("y", "A", ("fr",))),
        "presences": (
            Presence("x", DAY, DAY + 1000),
            Presence("y", DAY, DAY + 1000, ((DAY, DAY + 500),)),
        ),
        "calls": (),
        "counted_from": DAY,
    }
    base.update(kwargs)
    return Scenario(**base)  # type: ignore[arg-type]


def _call(
    key: str,
    fate: Fate,
    waited: float,
    account: str = "a",
    agent: str = "x",
    arrival: float = DAY,
    person: str = "p",
) -> CallResult:
    return CallResult(key, account, person, arrival, fate, waited, agent)


def test_service_level_counts_abandoned_as_missed_but_not_short_abandons() -> None:
    records = [
        _call("1", Fate.ANSWERED, 5),
        _call("2", Fate.ANSWERED, 25),  # beyond account a's 20 s
        _call("3", Fate.ANSWERED, 15, account="b"),  # beyond account b's 10 s
        _call("4", Fate.ABANDONED, 30, agent=""),
        _call("5", Fate.ABANDONED, 4, agent=""),  # within 5 s: left out
        _call("6", Fate.OVERFLOWED, 60, agent=""),
    ]
    result = figures("s", _scenario(), records, busy_seconds=0)
    assert (result.offered, result.short_abandoned) == (5, 1)
    assert result.service_level == pytest.approx(1 / 5)
    assert result.abandonment == pytest.approx(1 / 5)
    assert result.average_speed_of_answer == pytest.approx(15)
    assert result.overflowed == 1


def test_warm_up_calls_are_not_counted() -> None:
    records = [
        _call("w", Fate.ABANDONED, 50, agent="", arrival=DAY - 100),
        _call("1", Fate.ANSWERED, 1),
    ]
    result = figures("s", _scenario(), records, busy_seconds=0)
    assert (result.offered, result.service_level) == (1, 1.0)


def test_affinity_is_one_of_the_three_most_recent_agents_of_the_account() -> None:
    agents = ["u", "v", "w", "u", "z", "v", "u"]
    records = [
        _call(str(i), Fate.ANSWERED, 0, agent=a, arrival=float(i)) for i, a in enumerate(agents)
    ]
    flags = familiar_flags(records)
    # u, v, w: unknown; u: among (w, v, u); z: no; v: not among (z, u, w); u: among (v, z, u).
    assert [flags[str(i)][0] for i in range(7)] == [False, False, False, True, False, False, True]


def test_person_affinity_remembers_two_agents_per_person() -> None:
    agents = ["u", "v", "w", "v", "u"]
    records = [
        _call(str(i), Fate.ANSWERED, 0, agent=a, arrival=float(i)) for i, a in enumerate(agents)
    ]
    flags = familiar_flags(records)
    assert [flags[str(i)][1] for i in range(5)] == [False, False, False, True, False]


def test_switchboard_calls_count_for_the_account_but_not_for_person_affinity() -> None:
    records = [
        _call("1", Fate.ANSWERED, 0, agent="u", arrival=DAY, person="p"),
        _call("2", Fate.ANSWERED, 0, agent="u", arrival=DAY + 1, person=""),
        _call("3", Fate.ANSWERED, 0, agent="u", arrival=DAY + 2, person="p"),
    ]
    result = figures("s", _scenario(), records, busy_seconds=0)
    assert result.account_affinity == pytest.approx(2 / 3)
    assert result.person_affinity == pytest.approx(1 / 2)


def test_affinity_follows_answer_order_not_arrival_order() -> None:
    records = [
        _call("early", Fate.ANSWERED, 100, agent="u", arrival=0.0),  # answered at 100
        _call("late", Fate.ANSWERED, 0, agent="u", arrival=50.0),  # answered at 50, first
    ]
    flags = familiar_flags(records)
    assert flags["late"] == (False, False)
    assert flags["early"] == (True, True)


def test_occupancy_is_busy_time_over_working_time_outside_breaks() -> None:
    result = figures("s", _scenario(), [_call("1", Fate.ANSWERED, 0)], busy_seconds=750)
    assert result.occupancy == pytest.approx(750 / 1500)


def test_fairness_averages_the_worst_accounts_with_enough_calls() -> None:
    scenario = _scenario(fairness_min_calls=2, fairness_accounts=1)
    records = [
        _call("1", Fate.ANSWERED, 1),
        _call("2", Fate.ANSWERED, 30),
        _call("3", Fate.ANSWERED, 30, account="b"),  # b has one call only: ignored
    ]
    assert figures("s", scenario, records, 0).worst_accounts_service_level == pytest.approx(0.5)


_FATES = st.sampled_from(list(Fate))


@given(
    st.lists(
        st.tuples(_FATES, st.floats(0, 300), st.sampled_from(["a", "b"]), st.sampled_from("xyz")),
        max_size=60,
    )
)
def test_figures_are_shares_and_calls_add_up(calls: list[tuple[Fate, float, str, str]]) -> None:
    records = [
        _call(
            str(i),
            fate,
            waited,
            account=account,
            agent=agent if fate is Fate.ANSWERED else "",
            arrival=DAY + i,
        )
        for i, (fate, waited, account, agent) in enumerate(calls)
    ]
    result = figures("s", _scenario(), records, busy_seconds=10)
    assert result.offered + result.short_abandoned == len(records)
    assert result.answered + result.abandoned + result.overflowed <= result.offered
    for share in (
        result.service_level,
        result.abandonment,
        result.account_affinity,
        result.person_affinity,
    ):
        assert 0.0 <= share <= 1.0
    assert result.service_level <= (result.answered / result.offered if result.offered else 0.0)


def test_affinity_by_size_separates_the_biggest_callers() -> None:
    volumes = {"a": 5, "b": 4, "c": 3, "d": 2, "e": 1}
    records = [
        _call(f"{account}{i}", Fate.ANSWERED, 0, account=account, agent="u", arrival=float(i))
        for account, n in volumes.items()
        for i in range(n)
    ]
    bands = affinity_by_size(records, records, familiar_flags(records))
    assert [label for label, _, _ in bands] == ["accounts 1-3", "accounts 4-10"]
    (_, big_share, big_affinity), (_, small_share, small_affinity) = bands
    assert big_share == pytest.approx(12 / 15)
    # The same agent answers everything: all but each account's first call are familiar.
    assert big_affinity == pytest.approx(9 / 12)
    assert small_affinity == pytest.approx(1 / 3)
    assert small_share == pytest.approx(3 / 15)
