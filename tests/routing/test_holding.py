"""Keeping precious agents free: a stranger's call may be held a few seconds (hold_seconds)."""

from __future__ import annotations

import pytest

from accueil.core.routing import EngineConfig
from accueil.core.routing.events import AgentReady, Offer
from accueil.errors import InvalidInput

HOLD = {"hold_seconds": 8.0, "hold_loss": 0.01}


def _ann_knows_acme(d) -> None:
    """ann answers an acme call at 1, ends it at 61, and is ready again at 81."""
    d.agent("ann", at=0)
    d.call("c1", at=1)
    d.serve("c1", at=1, talk=60)
    d.until(81)


def _offers(out):
    return [(o.call, o.agent) for o in out if isinstance(o, Offer)]


def test_strangers_call_waits_while_the_only_ready_agent_is_precious(desk):
    d = desk(**HOLD)
    _ann_knows_acme(d)
    assert d.call("c2", at=90, account="zeta") == []  # ann is acme's only familiar agent
    assert _offers(d.until(97.9)) == []
    assert _offers(d.until(98)) == [("c2", "ann")]  # the hold ends 8 s after arrival


def test_without_a_hold_the_strangers_call_goes_at_once(desk):
    d = desk()
    _ann_knows_acme(d)
    assert _offers(d.call("c2", at=90, account="zeta")) == [("c2", "ann")]


def test_an_agent_below_the_loss_threshold_is_not_precious(desk):
    d = desk(hold_seconds=8.0, hold_loss=0.9)  # one acme call is far from 0.9 expected calls
    _ann_knows_acme(d)
    assert _offers(d.call("c2", at=90, account="zeta")) == [("c2", "ann")]


def test_the_least_precious_ready_agent_takes_the_strangers_call_without_waiting(desk):
    d = desk(**HOLD)
    _ann_knows_acme(d)
    d.agent("bob", at=85)  # knows no account: his absence costs nothing
    assert _offers(d.call("c2", at=90, account="zeta")) == [("c2", "bob")]


def test_a_familiar_call_is_never_held(desk):
    d = desk(**HOLD)
    _ann_knows_acme(d)
    assert _offers(d.call("c2", at=90)) == [("c2", "ann")]


def test_a_freed_precious_agent_stays_ready_and_a_newcomer_takes_the_held_call(desk):
    d = desk(**HOLD)
    d.agent("ann", at=0)
    d.call("c1", at=1)
    d.serve("c1", at=1, talk=60)  # ann in wrap-up until 81
    assert d.call("c2", at=76, account="zeta") == []  # nobody ready
    assert _offers(d.until(81)) == []  # ann frees at 81 but is precious: c2 held until 84
    assert d.engine.pool.ready.keys() == {"ann"}
    d.agent("bob", at=82, ready=False)
    assert _offers(d.feed(AgentReady(82, "bob"))) == [("c2", "bob")]


def test_a_held_call_goes_to_the_precious_agent_when_its_hold_ends(desk):
    d = desk(**HOLD)
    d.agent("ann", at=0)
    d.call("c1", at=1)
    d.serve("c1", at=1, talk=60)
    d.call("c2", at=76, account="zeta")
    assert _offers(d.until(84)) == [("c2", "ann")]


@pytest.mark.parametrize("hold", [8.0, 0.0])
def test_a_stranger_skips_a_held_call_whose_team_member_ends_wrap_up_within_the_hold(desk, hold):
    # No ring (budget 0): acme's calls are open at once; nobody is precious (hold_loss 100).
    d = desk(hold_seconds=hold, hold_loss=100.0, budget_share=0.0)
    d.agent("ann", at=0)
    d.call("c1", at=1)
    d.serve("c1", at=1, talk=60)  # ann in wrap-up until 81
    d.agent("bob", at=0, ready=False)
    d.agent("cat", at=0, ready=False)
    d.call("c2", at=40, account="zeta")  # waits: nobody ready
    d.call("c3", at=78)  # acme: ann frees at 81, within the 8 s hold of c3; c2 is older
    out = d.feed(AgentReady(79, "bob"))
    assert _offers(out) == [("c2", "bob")]  # c2 is past its hold: first in line
    out = d.feed(AgentReady(80, "cat"))
    if not hold:
        assert _offers(out) == [("c3", "cat")]
        return
    assert _offers(out) == []  # c3 is left to ann, who ends wrap-up at 81
    assert _offers(d.until(81)) == [("c3", "ann")]


@pytest.mark.parametrize("field", ["hold_seconds", "hold_loss"])
def test_negative_hold_settings_are_refused(field):
    with pytest.raises(InvalidInput, match="hold_seconds and hold_loss"):
        EngineConfig(**{field: -1.0})
