"""Skill-aware budgets, scarce skills protected, one waiter per agent (issue 17)."""

from __future__ import annotations

import pytest

from accueil.core.routing.events import AgentPaused, Offer


def _ann_knows_acme(d, languages=("fr",)) -> None:
    """ann answers an acme call at 1 and ends it at 61: in wrap-up until 81."""
    d.agent("ann", at=0, languages=languages)
    d.call("c1", at=1, languages=languages[-1:])
    assert d.offer("c1").agent == "ann"
    d.serve("c1", at=1, talk=60)


def test_a_second_call_does_not_wait_for_an_agent_another_call_already_waits_for(desk):
    d = desk()
    _ann_knows_acme(d)
    d.agent("bob", at=0)
    d.agent("cid", at=0)
    assert d.call("c2", at=70) == []  # waits for ann, who frees at 81
    (offer,) = d.call("c3", at=71)  # ann is c2's: c3 goes to a ready agent at once
    assert isinstance(offer, Offer) and offer.call == "c3" and offer.ring == "everyone"
    out = d.until(81)
    assert [(o.call, o.agent) for o in out if isinstance(o, Offer)] == [("c2", "ann")]


def test_without_one_waiter_both_calls_wait_for_the_same_agent(desk):
    d = desk(one_waiter=False)
    _ann_knows_acme(d)
    d.agent("bob", at=0)
    d.agent("cid", at=0)
    d.call("c2", at=70)
    assert d.call("c3", at=71) == []  # the old behaviour: c3 burns its budget for nothing
    assert {w.call for w in d.engine.snapshot().waiting} == {"c2", "c3"}


def test_the_wait_a_call_is_spared_follows_its_own_requirement_group(desk):
    # Two open English calls wait for the two English speakers; a crowd of French agents does
    # not shorten that wait: the English call's budget shrinks as if the pool were 2 agents.
    budgets = {}
    for french_agents in (0, 20):
        # (protect_scarce off: with it, an English call here would not wait at all, below)
        d = desk(budget_share=0.6, protect_scarce=False)
        _ann_knows_acme(d, languages=("fr", "en"))
        d.agent("eve", at=0, languages=("fr", "en"))
        d.feed(AgentPaused(62, "eve", "break"))
        for i in range(french_agents):
            d.agent(f"f{i}", at=0, ready=False)
        for i in range(2):
            d.call(f"x{i}", at=63, account=f"other{i}", languages=("en",))
        d.call("c2", at=65, target_seconds=300, languages=("en",))
        (c2,) = [w for w in d.engine.snapshot().waiting if w.call == "c2"]
        assert c2.widens_at is not None
        budgets[french_agents] = c2.widens_at - 65
    assert budgets[20] == pytest.approx(budgets[0])
    assert budgets[0] < 0.6 * 300 - 60  # shrunk by the English line: 2 calls on 2 agents


def test_an_english_call_does_not_shorten_a_french_calls_budget(desk):
    d = desk(budget_share=0.6)
    _ann_knows_acme(d, languages=("fr", "en"))
    d.agent("bob", at=0, ready=False)
    d.call("x0", at=63, account="other", languages=("en",))  # ann is the only English speaker
    d.call("c2", at=65, target_seconds=120, languages=("fr",))
    (c2,) = [w for w in d.engine.snapshot().waiting if w.call == "c2"]
    assert c2.widens_at == pytest.approx(65 + 72)


def _english_in_demand(d) -> None:
    """eve (French and English) has been ready longest, then ben (French only); an English
    call answered by ena puts English in demand."""
    d.agent("ena", at=0, languages=("fr", "en"))
    d.call("e0", at=0.5, account="x", languages=("en",))
    assert d.offer("e0").agent == "ena"
    d.agent("eve", at=1, languages=("fr", "en"))
    d.agent("ben", at=2, languages=("fr",))


def test_a_call_anyone_can_take_goes_to_the_agent_without_the_scarce_skill(desk):
    d = desk("accueil")
    _english_in_demand(d)
    (offer,) = d.call("f1", at=6, account="y", languages=("fr",))
    assert isinstance(offer, Offer) and offer.agent == "ben"


def test_without_protection_the_longest_idle_takes_it(desk):
    d = desk("accueil", protect_scarce=False)
    _english_in_demand(d)
    (offer,) = d.call("f1", at=6, account="y", languages=("fr",))
    assert isinstance(offer, Offer) and offer.agent == "eve"


def test_a_skill_that_is_not_scarce_is_not_spared(desk):
    # 1 English call in 10 for 2 English speakers among 3 agents: English is not scarce.
    d = desk("accueil")
    d.agent("ena", at=0, languages=("fr", "en"))
    d.agent("fay", at=0, languages=("fr",))
    for i in range(9):
        d.call(f"f{i}", at=0.1 + i, account=f"a{i}", languages=("fr",))
        d.serve(f"f{i}", at=0.1 + i, talk=0.1)
        d.until(30 * (i + 1))
    d.call("e0", at=300, account="x", languages=("en",))
    d.serve("e0", at=300, talk=0.1)
    d.until(400)
    d.agent("eve", at=401, languages=("fr", "en"))
    d.agent("ben", at=402, languages=("fr",))
    d.feed(AgentPaused(403, "ena", "out"))
    d.feed(AgentPaused(403, "fay", "out"))
    (offer,) = d.call("f9", at=404, account="y", languages=("fr",))
    assert isinstance(offer, Offer) and offer.agent == "eve"  # the longest idle, as usual


def test_a_familiar_ready_agent_still_goes_first_whatever_their_skills(desk):
    d = desk("accueil")
    _ann_knows_acme(d, languages=("fr", "en"))  # an English call: English is in demand
    d.agent("ben", at=0, languages=("fr",))
    (offer,) = d.call("c2", at=100, languages=("fr",))
    assert isinstance(offer, Offer) and (offer.agent, offer.ring) == ("ann", "account")


def test_a_freed_scarce_agent_takes_the_call_only_it_can_take_before_a_familiar_one(desk):
    d = desk("accueil", max_wait=None)
    _ann_knows_acme(d, languages=("fr", "en"))  # wrap-up until 81
    d.agent("bob", at=0, ready=False, languages=("fr",))
    d.call("e1", at=70, account="x", languages=("en",))  # only ann can take it: it waits, open
    d.call("c2", at=72, languages=("fr",))  # waits for ann too (acme's familiar agent)
    out = d.until(81)
    assert [(o.call, o.agent) for o in out if isinstance(o, Offer)] == [("e1", "ann")]


def test_a_call_needing_a_scarce_skill_does_not_wait_for_a_familiar_agent(desk):
    # Two English speakers among 22 agents and every call in English: English is scarce, so an
    # English call takes the first able agent free rather than wait for ann's wrap-up.
    for protect in (False, True):
        d = desk(protect_scarce=protect)
        _ann_knows_acme(d, languages=("fr", "en"))
        d.agent("eve", at=0, languages=("fr", "en"))
        for i in range(20):
            d.agent(f"f{i}", at=0, ready=False)
        out = d.call("c2", at=70, languages=("en",))
        if protect:
            assert [(o.call, o.agent) for o in out if isinstance(o, Offer)] == [("c2", "eve")]
        else:
            assert out == []  # waits for ann, in wrap-up until 81


def test_a_language_every_agent_speaks_is_not_scarce(desk):
    d = desk()
    d.agent("ann", at=0, languages=("fr",))
    d.agent("bob", at=0, languages=("fr",))
    d.call("c1", at=1, languages=("fr",))
    (c1,) = d.engine.calls.values()
    assert not d.engine.groups.scarce(c1, 1.0)
