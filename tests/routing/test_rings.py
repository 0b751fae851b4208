"""Soft preferences: person ring, account team, everyone; budgets; familiarity learned."""

from __future__ import annotations

import pytest

from accueil.core.routing import EngineConfig
from accueil.core.routing.events import AgentPaused, AgentReady, Offer
from accueil.core.routing.familiarity import Familiarity
from accueil.errors import InvalidInput


def _ann_knows_acme(d, busy_until_call_at: float = 1.0) -> None:
    """ann answers an acme call at 1 and ends it at 61: in wrap-up until 81."""
    d.agent("ann", at=0)
    d.agent("bob", at=0)
    d.call("c1", at=busy_until_call_at)
    assert d.offer("c1").agent == "ann"
    d.serve("c1", at=busy_until_call_at, talk=60)


def test_call_waits_for_a_familiar_agent_within_its_budget(desk):
    d = desk()
    _ann_knows_acme(d)
    assert d.call("c2", at=75) == []  # bob is idle, but ann knows acme and frees at 81
    out = d.until(81)
    assert [(o.call, o.agent, o.ring) for o in out if isinstance(o, Offer)] == [
        ("c2", "ann", "account")
    ]


def test_call_widens_to_everyone_when_its_budget_runs_out(desk):
    d = desk(budget_share=0.6, busy_share=1.0)
    _ann_knows_acme(d)
    d.call("c2", at=65)  # budget: 60 % of the 20 s target = 12 s, so until 77
    (offer,) = d.until(77)
    assert isinstance(offer, Offer)
    assert (offer.agent, offer.ring) == ("bob", "everyone")


def test_no_waiting_for_familiar_agents_who_will_not_be_free_within_the_budget(desk):
    d = desk(budget_share=0.6, busy_share=0.0)
    _ann_knows_acme(d)  # ann's wrap-up ends at 81: after the 12 s budget of a call at 65
    (offer,) = d.call("c2", at=65)
    assert isinstance(offer, Offer)
    assert (offer.agent, offer.ring) == ("bob", "everyone")


def test_shorter_wait_when_familiar_agents_are_all_on_calls(desk):
    d = desk(budget_share=0.6, busy_share=0.5)
    _ann_knows_acme(d)
    d.call("c2", at=65)  # ann is still in wrap-up at 77: wait half the budget only
    (waiting,) = d.engine.snapshot().waiting
    assert waiting.widens_at == pytest.approx(65 + 6)


def test_no_waiting_for_a_familiar_agent_who_is_paused(desk):
    d = desk()
    _ann_knows_acme(d)
    d.feed(AgentPaused(62, "ann", "lunch"))
    (offer,) = d.call("c2", at=65)
    assert isinstance(offer, Offer) and offer.agent == "bob"


def test_budget_never_exceeds_its_share_of_the_target(desk):
    d = desk(budget_share=0.5)
    _ann_knows_acme(d)
    d.call("c2", at=65, target_seconds=40)
    (waiting,) = d.engine.snapshot().waiting
    assert waiting.ring == "account"
    assert waiting.widens_at == pytest.approx(65 + 20)


def _budget_with_open_line(desk, crowd: int, **settings) -> float:
    """The ring budget of an acme call at 65 (target 120 s) behind ``crowd`` open calls."""
    d = desk(**settings)
    _ann_knows_acme(d)
    d.feed(AgentPaused(62, "bob", "break"))
    for i in range(crowd):
        d.call(f"x{i}", at=63, account=f"other{i}")  # nobody ready: they wait, open
    d.call("c2", at=65, target_seconds=120)
    (c2,) = [w for w in d.engine.snapshot().waiting if w.call == "c2"]
    assert c2.widens_at is not None
    return c2.widens_at - 65


def test_budget_shrinks_as_the_open_line_grows(desk):
    budgets = [_budget_with_open_line(desk, crowd, budget_share=0.6) for crowd in (0, 1)]
    assert budgets[0] == pytest.approx(72)
    assert 0 < budgets[1] < budgets[0]


def test_fixed_ring_timers_are_the_fallback_configuration(desk):
    d = desk(budget="fixed", person_ring_seconds=4, account_ring_seconds=8)
    _ann_knows_acme(d)
    d.call("c2", at=65, target_seconds=300)
    (waiting,) = d.engine.snapshot().waiting
    assert waiting.widens_at == pytest.approx(65 + 4 + 8)


def test_person_ring_comes_before_the_account_ring(desk):
    d = desk(wrapup_seconds=0, person_share=0.3)
    d.agent("ann", at=0)
    d.agent("bob", at=0)
    d.call("c1", at=1, person="pia")
    d.serve("c1", at=1, talk=10)  # ann knows pia
    for i, at in enumerate((20, 40, 60)):
        d.call(f"b{i}", at=at, person="paul")  # ann is ready again: she gets them too
        d.serve(f"b{i}", at=at, talk=5)
    d.call("c2", at=100, person="pia")
    assert d.offer("c2").agent == "ann"
    assert d.offer("c2").ring == "person"


def test_person_ring_widens_to_the_account_team(desk):
    d = desk(wrapup_seconds=0, person_share=0.5, budget_share=0.6, busy_share=1.0)
    d.agent("ann", at=0)
    d.call("c1", at=1, person="pia")
    d.serve("c1", at=1, talk=10)  # ann knows pia and acme
    d.feed(AgentPaused(12, "ann", "break"))
    d.agent("bob", at=20)
    d.call("b1", at=30, person="paul")
    d.serve("b1", at=30, talk=10)  # bob knows acme, not pia
    d.feed(AgentPaused(41, "bob", "break"))
    d.feed(AgentReady(45, "ann"))
    d.call("z", at=46, account="other")
    d.answer("z", at=46)  # ann is busy now
    d.feed(AgentReady(47, "bob"))
    assert d.call("c2", at=50, person="pia") == []  # waits for ann, the person ring
    out = d.until(50 + 6)  # half of the 12 s budget on the person ring
    assert [(o.agent, o.ring) for o in out if isinstance(o, Offer)] == [("bob", "account")]


def test_primary_agents_named_by_the_operator_are_in_the_account_ring(desk):
    d = desk()
    d.agent("carl", at=0)
    d.agent("dora", at=5, trainings=(("acme", 3),))
    (offer,) = d.call("c1", at=10)
    assert isinstance(offer, Offer)
    assert (offer.agent, offer.ring) == ("dora", "account")
    assert "primary" in offer.reason


def test_arriving_call_goes_to_the_most_familiar_ready_agent(desk):
    d = desk(wrapup_seconds=0)
    d.agent("ann", at=0)
    d.call("c0", at=1)
    d.serve("c0", at=1, talk=5)  # ann knows acme from one call
    d.feed(AgentPaused(7, "ann", "break"))
    d.agent("bob", at=8)
    for i in range(3):  # bob from three
        d.call(f"c{i + 1}", at=10 + 10 * i)
        d.serve(f"c{i + 1}", at=10 + 10 * i, talk=5)
    d.feed(AgentPaused(40, "bob", "break"))
    d.feed(AgentReady(50, "ann"))
    d.feed(AgentReady(60, "bob"))
    (offer,) = d.call("c4", at=70)  # ann has been idle longer, bob knows acme better
    assert isinstance(offer, Offer) and offer.agent == "bob"


def test_freed_agent_picks_a_waiting_call_it_knows(desk):
    d = desk()
    _ann_knows_acme(d)  # ann busy until 81
    d.call("x", at=62, account="other")  # bob takes it
    d.answer("x", at=63)
    d.call("y", at=70, account="stranger")  # nobody ready: open line
    d.call("c2", at=72, target_seconds=120)  # waits for ann
    out = d.until(81)
    assert [(o.call, o.agent) for o in out if isinstance(o, Offer)] == [("c2", "ann")]


def test_calls_open_to_everyone_keep_their_place_when_familiar_calls_widen(desk):
    d = desk()
    _ann_knows_acme(d)
    d.feed(AgentPaused(62, "bob", "break"))
    d.call("c2", at=64)  # waits for ann (until 76)
    d.call("y", at=70, account="stranger")
    d.until(77)
    waiting = d.engine.snapshot().waiting
    assert [(w.call, w.ring) for w in waiting] == [("c2", "everyone"), ("y", "everyone")]


def test_familiarity_is_recency_weighted():
    memory = Familiarity(half_life=600, cap=8)
    for t in (0, 10, 20):
        memory.learn("acme", "ann", t)
    memory.learn("acme", "bob", 3600)
    assert memory.top("acme", 2) == ["bob", "ann"]
    assert memory.score("acme", "ann", 20) == pytest.approx(3, rel=0.05)
    assert memory.score("acme", "ann", 620) == pytest.approx(1.5, rel=0.05)


def test_familiarity_forgets_the_least_familiar_beyond_its_capacity():
    memory = Familiarity(half_life=600, cap=2)
    assert memory.learn("acme", "ann", 0) is None
    memory.learn("acme", "bob", 10)
    assert memory.learn("acme", "carl", 20) == "ann"
    assert memory.top("acme", 5) == ["carl", "bob"]


def test_familiarity_memory_survives_weeks_without_overflow():
    memory = Familiarity(half_life=60, cap=4)
    for day in range(60):
        memory.learn("acme", "ann", day * 86400.0)
    assert memory.top("acme", 1) == ["ann"]
    assert memory.score("acme", "ann", 59 * 86400.0) == pytest.approx(1.0)


def test_a_call_whose_offer_is_voided_before_its_ring_widens_still_widens(desk):
    # Found by the live switchboard: the ring's widening deadline came while the call was
    # offered (and was dropped as not live); the agent's connection then died before it.
    d = desk(offer_timeout=30)
    d.agent("dora", at=0, trainings=(("acme", 3),))  # a primary agent: the account ring
    d.agent("eve", at=0, ready=False)
    (offer,) = d.call("c1", at=1)
    assert offer.agent == "dora" and offer.ring == "account"
    d.feed(AgentReady(2, "eve"))  # eve is not in the account ring: the call is not hers yet
    widens = d.engine.snapshot().waiting[0].widens_at
    assert widens is not None and widens < 1 + 30  # before the offer's lease would lapse
    d.until(widens - 0.5)  # the widening deadline is looked at while the call is offered
    d.feed(AgentPaused(widens - 0.1, "dora", "connection lost"))
    d.until(widens)
    assert d.offer("c1").agent == "eve"


def test_open_line_share_sets_what_the_open_line_takes_off_the_budget(desk):
    alone = _budget_with_open_line(desk, 0, budget_share=0.6)
    ignored = _budget_with_open_line(desk, 1, budget_share=0.6, open_line_share=0.0)
    half = _budget_with_open_line(desk, 1, budget_share=0.6, open_line_share=0.5)
    added = _budget_with_open_line(desk, 1, budget_share=0.6, open_line_share=-1.0)
    assert ignored == pytest.approx(alone)
    assert half < alone < added
    assert added - alone == pytest.approx(2 * (alone - half))


def test_open_line_share_is_checked():
    with pytest.raises(InvalidInput, match="open_line_share must be between -1 and 1"):
        EngineConfig(open_line_share=2.0)
