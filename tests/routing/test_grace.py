"""Spending the callers' grace, and claims that cannot be honoured (issue 17, session 9)."""

from __future__ import annotations

import random

import pytest

from accueil.core.routing import EngineConfig
from accueil.core.routing.events import CallAbandoned, Offer
from accueil.core.routing.patience import Patience
from accueil.core.routing.profiles import profiled
from accueil.errors import InvalidInput


def _w1_callers(patience: Patience, calls: int, seed: int = 1) -> None:
    """W1's callers: nobody hangs up within 10 s, then 1 in 80 a second; each call is answered
    after a wait of 0-40 s unless the caller hangs up first."""
    draw = random.Random(seed)
    for _ in range(calls):
        gives_up = 10.0 + draw.expovariate(1 / 80)
        answered = draw.uniform(0.0, 40.0)
        patience.ended(min(gives_up, answered), abandoned=gives_up < answered)


def test_the_grace_is_learned_from_the_abandonments_seen() -> None:
    patience = Patience()
    _w1_callers(patience, 2_000)
    assert patience.grace() == 10.0
    assert patience.survival(10.0) == 1.0
    assert patience.survival(30.0) == pytest.approx(0.78, abs=0.04)  # exp(-20 / 80)


def test_no_grace_is_assumed_before_enough_abandonments_or_when_callers_hang_up_at_once() -> None:
    patience = Patience(min_abandons=50)
    _w1_callers(patience, 150)  # about 20 abandonments
    assert patience.grace() == 0.0
    impatient = Patience()
    draw = random.Random(2)
    for _ in range(2_000):
        gives_up, answered = draw.expovariate(1 / 60), draw.uniform(0.0, 40.0)
        impatient.ended(min(gives_up, answered), abandoned=gives_up < answered)
    assert impatient.grace() == 0.0


def _c2_past_its_grace_when_bob_frees(d) -> None:
    """ann knows acme and is in wrap-up until 91; bob, a stranger, frees at 86; acme's c2 has
    waited since 64 (22 s: past a 10 s grace, within its 30 s target), x1 since 85."""
    d.agent("ann", at=0, wrapup_seconds=30)
    d.agent("bob", at=0)
    d.call("c1", at=1, target_seconds=30)
    assert d.offer("c1").agent == "ann"
    d.serve("c1", at=1, talk=60)
    d.call("b1", at=62, account="other")
    d.serve("b1", at=62, talk=4)
    d.call("c2", at=64, target_seconds=30)
    d.call("x1", at=85, account="zed", target_seconds=30)


@pytest.mark.parametrize("aware", [False, True])
def test_a_call_past_the_learned_grace_is_left_to_a_familiar_agent_ending_wrap_up(desk, aware):
    d = desk(grace_aware=aware, past_target_seconds=10, max_wait=None)
    _w1_callers(d.engine.patience, 1_000)  # what the engine saw end so far: a 10 s grace
    _c2_past_its_grace_when_bob_frees(d)
    early = [(o.call, o.agent) for o in d.until(86) if isinstance(o, Offer)]
    later = [(o.call, o.agent) for o in d.until(91) if isinstance(o, Offer)]
    if aware:
        # past the grace, serving x1 first costs c2 nothing more than it saves x1: c2 keeps ann
        assert (early, later) == ([("x1", "bob")], [("c2", "ann")])
    else:
        assert (early, later) == ([("c2", "bob")], [("x1", "ann")])


def test_the_engine_learns_the_grace_from_the_calls_it_sees_end(desk):
    d = desk(grace_aware=True, grace_min_abandons=1, max_wait=None)
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.answer("c1", at=0)  # ann is on a call
    for i in range(4):  # four callers who hang up after 12 s: the grace ends in the 12th second
        d.call(f"q{i}", at=10 + i)
        d.feed(CallAbandoned(22 + i, f"q{i}"))
    assert d.engine.patience.grace() == 12.0


@pytest.mark.parametrize("aware", [False, True])
def test_a_familiar_call_within_its_grace_is_left_to_a_familiar_agent_free_after_it(desk, aware):
    """ann and bob know acme; ann ends wrap-up at 81, bob at 92. zed's z1 waits since 65 (past
    a 10 s grace at 81), acme's c3 since 78 (within it, waiting for ann)."""
    d = desk(grace_aware=aware, open_line_share=0.0, max_wait=None)
    _w1_callers(d.engine.patience, 1_000)
    d.agent("ann", at=0)
    d.agent("bob", at=0)
    d.call("c1", at=1)
    d.serve("c1", at=1, talk=60)  # ann, wrap-up 61-81
    d.call("c2", at=2)
    assert d.offer("c2").agent == "bob"
    d.serve("c2", at=2, talk=70)  # bob, wrap-up 72-92
    d.call("z1", at=65, account="zed")
    d.call("c3", at=78)
    assert d.engine.calls["c3"].claimed == "ann"
    offers = [(o.call, o.agent) for o in d.until(93) if isinstance(o, Offer)]
    if aware:
        # served at 81, c3 would have saved nothing (within its grace) and cost z1 11 s past
        # its own: ann takes z1, and c3 keeps a familiar voice with bob at 92
        assert offers == [("z1", "ann"), ("c3", "bob")]
    else:
        assert offers == [("c3", "ann"), ("z1", "bob")]


def _c2_waits_for_ann_who_then_leaves_acme_team(d) -> None:
    """ann answers acme's c1 and is in wrap-up from 80 until 100; acme's c2 comes at 85 and
    waits for her; bob, cid and dan then answer three acme calls (nobody else to wait for: ann
    is claimed), so that ann is no longer among acme's three most recent answerers at 100."""
    for name in ("ann", "bob", "cid", "dan"):
        d.agent(name, at=0)
    d.call("c1", at=1)
    assert d.offer("c1").agent == "ann"
    d.serve("c1", at=1, talk=79)
    d.call("c2", at=85)
    assert d.engine.calls["c2"].claimed == "ann"
    for i, name in enumerate(("bob", "cid", "dan")):
        d.call(f"a{i}", at=86 + i)
        assert d.offer(f"a{i}").agent == name
        d.answer(f"a{i}", at=86 + i)
    assert "ann" not in d.engine.rings.team("acme")


@pytest.mark.parametrize("release", [False, True])
def test_a_call_whose_familiar_agent_is_free_but_takes_it_no_more_opens_at_once(desk, release):
    d = desk(release_claims=release, budget_share=1.5, max_wait=None)
    _c2_waits_for_ann_who_then_leaves_acme_team(d)
    at_100 = [(o.call, o.agent) for o in d.until(100) if isinstance(o, Offer)]
    if release:
        assert at_100 == [("c2", "ann")]  # she is free and c2 waits for nobody: it opens
    else:
        assert at_100 == []  # ann sits ready while c2 waits out its budget (until 115)
        assert [(o.call, o.agent) for o in d.until(115) if isinstance(o, Offer)] == [("c2", "ann")]


def test_the_grace_profile_spends_the_grace_without_a_guard() -> None:
    grace = profiled("grace")
    assert grace.grace_aware and grace.release_claims and not grace.guard
    assert not grace.person_in_account_ring and grace.team_first
    with pytest.raises(InvalidInput, match="grace_risk"):
        EngineConfig(grace_risk=0.0)
