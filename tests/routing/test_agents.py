"""Agents: heartbeats, wrap-up per account and per agent, pauses, logouts."""

from __future__ import annotations

import pytest

from accueil.core.routing import EngineConfig
from accueil.core.routing.events import (
    AgentLoggedOut,
    AgentPaused,
    AgentReady,
    Heartbeat,
    Ignored,
    Offer,
    PauseAgent,
    RevokeOffer,
    WrapUp,
    WrapUpEnded,
)
from accueil.errors import InvalidInput


def test_silent_home_agent_becomes_unavailable_and_their_offer_goes_to_someone_else(desk):
    d = desk("longest_idle", offer_timeout=60, heartbeat_timeout=30)
    d.agent("ann", at=0, site="home")
    d.agent("bob", at=1, site="A")
    d.call("c1", at=2)
    assert d.offer("c1").agent == "ann"
    out = d.until(30)
    assert PauseAgent("ann", "silent for 30 s (no heartbeat)") in out
    assert any(isinstance(c, RevokeOffer) and c.agent == "ann" for c in out)
    assert d.offer("c1").agent == "bob"
    assert d.engine.snapshot().agents[0].status == "paused"


def test_heartbeats_keep_a_home_agent_available(desk):
    d = desk(heartbeat_timeout=30)
    d.agent("ann", at=0, site="home")
    for t in range(10, 200, 10):
        d.feed(Heartbeat(t, "ann"))
    d.until(200)
    assert not [c for c in d.commands if isinstance(c, PauseAgent)]
    (offer,) = d.call("c1", at=201)
    assert isinstance(offer, Offer) and offer.agent == "ann"


def test_agents_on_a_site_need_no_heartbeat(desk):
    d = desk(heartbeat_timeout=30)
    d.agent("ann", at=0, site="A")
    d.until(1000)
    assert d.engine.next_deadline() is None
    assert d.call("c1", at=1001)[0].agent == "ann"


def test_heartbeats_are_watched_per_site_with_each_sites_own_silence(desk):
    d = desk("longest_idle", heartbeat_sites={"B": 60.0, "home": 20.0})
    d.agent("ann", at=0, site="home")
    d.agent("bea", at=0, site="B")
    d.agent("cid", at=0, site="A")
    paused = [c.agent for c in d.until(59) if isinstance(c, PauseAgent)]
    assert paused == ["ann"]  # home: silent 20 s (the site's own, not heartbeat_timeout)
    out = d.until(60)
    assert PauseAgent("bea", "silent for 60 s (no heartbeat)") in out
    d.until(1000)
    assert [a.status for a in d.engine.snapshot().agents if a.agent == "cid"] == ["ready"]


def test_a_star_site_watches_every_site_not_named(desk):
    d = desk("longest_idle", heartbeat_sites={"*": 45.0, "A": 90.0})
    d.agent("bea", at=0, site="B")
    d.agent("cid", at=0, site="A")
    d.feed(Heartbeat(30, "bea"))
    out = d.until(80)
    assert [c.agent for c in out if isinstance(c, PauseAgent)] == ["bea"]  # silent since 30
    assert [c.agent for c in d.until(90) if isinstance(c, PauseAgent)] == ["cid"]


def test_a_site_silence_that_is_not_positive_is_refused():
    with pytest.raises(InvalidInput, match=r"heartbeat_sites.*B"):
        EngineConfig(heartbeat_sites={"B": 0.0})


def test_silent_agent_comes_back_with_a_sign_of_life_and_ready(desk):
    d = desk(heartbeat_timeout=30)
    d.agent("ann", at=0, site="home")
    d.until(40)
    assert d.call("c1", at=41) == []
    d.feed(Heartbeat(50, "ann"))
    d.feed(AgentReady(51, "ann"))
    assert d.offer("c1").agent == "ann"
    d.until(82)  # heartbeats are watched again: silent since 51
    assert [c for c in d.commands if isinstance(c, PauseAgent)][-1].agent == "ann"
    assert len([c for c in d.commands if isinstance(c, PauseAgent)]) == 2


def test_an_agent_silent_during_a_call_and_ready_during_wrap_up_takes_calls_again(desk):
    # ann's link drops during her call: the engine pauses her after it; she is back (a sign of
    # life and ready) during wrap-up, before anyone told the engine she was ready during the call
    d = desk("longest_idle", heartbeat_timeout=30, wrapup_seconds=20)
    d.agent("ann", at=0, site="home")
    d.call("c1", at=1)
    d.answer("c1", at=1)
    out = d.until(40)
    assert [c.agent for c in out if isinstance(c, PauseAgent)] == ["ann"]
    d.finish("c1", at=100)  # wrap-up until 120
    d.feed(Heartbeat(110, "ann"))
    d.feed(AgentReady(110, "ann"))
    assert d.engine.snapshot().agents[0].status == "ready"
    assert d.call("c2", at=111)[0].agent == "ann"


def test_wrapup_follows_the_account_then_the_agent_is_ready(desk):
    d = desk("longest_idle", wrapup_seconds=20)
    d.agent("ann", at=0)
    d.call("c1", at=0, wrapup_seconds=45)
    d.answer("c1", at=1)
    assert d.finish("c1", at=61) == [WrapUp("ann", "c1", 106)]
    d.call("c2", at=70)
    assert d.until(105) == []
    assert [c.call for c in d.until(106) if isinstance(c, Offer)] == ["c2"]


def test_the_agents_own_wrapup_overrides_the_accounts(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0, wrapup_seconds=5)
    d.call("c1", at=0, wrapup_seconds=45)
    d.answer("c1", at=1)
    assert d.finish("c1", at=61) == [WrapUp("ann", "c1", 66)]


def test_ending_wrapup_early_makes_the_agent_ready(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.serve("c1", at=1, talk=60)
    d.call("c2", at=62)
    out = d.feed(WrapUpEnded(63, "ann"))
    assert [c.call for c in out if isinstance(c, Offer)] == ["c2"]
    assert isinstance(d.feed(WrapUpEnded(64, "ann"))[0], Ignored)


def test_pausing_an_agent_with_an_offer_revokes_it_and_the_call_goes_on(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.agent("bob", at=1)
    d.call("c1", at=2)
    out = d.feed(AgentPaused(3, "ann", "lunch"))
    assert RevokeOffer("c1", "ann", d.offers()[0].token, "agent paused: lunch") in out
    assert d.offer("c1").agent == "bob"


def test_paused_agent_gets_no_offers_until_ready(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.feed(AgentPaused(1, "ann", "lunch"))
    assert d.call("c1", at=2) == []
    (offer,) = d.feed(AgentReady(3, "ann"))
    assert isinstance(offer, Offer) and offer.call == "c1"


def test_pause_requested_during_a_call_applies_after_it(desk):
    d = desk("longest_idle", wrapup_seconds=0)
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.answer("c1", at=1)
    d.feed(AgentPaused(5, "ann", "lunch"))
    d.call("c2", at=6)
    d.finish("c1", at=30)
    assert [o.call for o in d.offers()] == ["c1"]
    assert d.engine.snapshot().agents[0].reason == "lunch"


def test_logging_out_during_a_call_leaves_after_it(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.answer("c1", at=1)
    assert d.feed(AgentLoggedOut(5, "ann")) == []
    d.finish("c1", at=30)
    assert d.engine.snapshot().agents == ()
    assert isinstance(d.feed(AgentReady(31, "ann"))[0], Ignored)


def test_logging_out_with_an_offer_gives_the_call_to_someone_else(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.agent("bob", at=1)
    d.call("c1", at=2)
    out = d.feed(AgentLoggedOut(3, "ann"))
    assert any(isinstance(c, RevokeOffer) for c in out)
    assert d.offer("c1").agent == "bob"


def test_logging_in_twice_is_harmless(desk):
    d = desk()
    d.agent("ann", at=0)
    out = d.agent("ann", at=1, ready=False)
    assert isinstance(out[0], Ignored)
    assert [a.status for a in d.engine.snapshot().agents] == ["ready"]
