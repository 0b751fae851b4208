"""Erlang C in log space: textbook values, and no overflow beyond 170 agents."""

from __future__ import annotations

import math

import pytest

from accueil.sim.erlang import ErlangC


def test_textbook_values_for_ten_agents() -> None:
    # 10 agents, 8 Erlangs: P(wait) = 0.4092 (classic Erlang C tables).
    queue = ErlangC(agents=10, load=8.0, handle_seconds=60.0)
    assert queue.wait_probability == pytest.approx(0.40918, abs=1e-4)
    assert queue.average_speed_of_answer == pytest.approx(0.40918 * 60 / 2, rel=1e-4)
    assert queue.service_level(0) == pytest.approx(1 - 0.40918, abs=1e-4)
    assert queue.service_level(20) == pytest.approx(1 - 0.40918 * math.exp(-2 / 60 * 20), abs=1e-4)


def test_one_agent_is_an_mm1_queue() -> None:
    assert ErlangC(agents=1, load=0.7, handle_seconds=10).wait_probability == pytest.approx(0.7)


def test_stays_finite_and_sensible_far_beyond_170_agents() -> None:
    small = ErlangC(agents=1000, load=950.0, handle_seconds=180).wait_probability
    assert 0.0 < small < 1.0
    # Same occupancy, more agents: pooling makes waiting less likely.
    assert small < ErlangC(agents=100, load=95.0, handle_seconds=180).wait_probability


def test_an_overloaded_queue_is_refused() -> None:
    with pytest.raises(ValueError, match="never settles"):
        ErlangC(agents=10, load=10.0, handle_seconds=60)
