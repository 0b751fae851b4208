"""The twin matches theory: M/M/N through the real engine agrees with Erlang C."""

from __future__ import annotations

import pytest

from accueil.sim.erlang import ErlangC
from accueil.sim.validation import t_quantile, validate


@pytest.mark.parametrize("load", [6.0, 8.0, 9.0])
def test_ten_agents_match_erlang_c_within_sampling_error(load: float) -> None:
    # 20,000 calls per load, 20 batch means, a 99.9% Student-t interval per figure.
    result = validate(agents=10, load=load, calls=20_000, seed=1)
    # Call for call, the engine behaves exactly like a first-come first-served M/M/N queue.
    assert result.identical_to_fifo
    for estimate in result.estimates:
        assert estimate.agrees, estimate
    # The interval is tight enough to tell 10 agents from 9 or 11.
    for wrong in (9, 11):
        queue = ErlangC(wrong, load, 60.0) if wrong > load else None
        if queue is not None:
            p_wait = result.estimates[0]
            assert abs(p_wait.simulated - queue.wait_probability) > p_wait.half_width


def test_student_t_quantiles_match_the_tables() -> None:
    assert t_quantile(0.95, 19) == pytest.approx(2.093, abs=1e-3)
    assert t_quantile(0.999, 19) == pytest.approx(3.883, abs=2e-3)
    assert t_quantile(0.99, 29) == pytest.approx(2.756, abs=1e-3)
