"""Baseline strategies in the same engine; configuration and input errors."""

from __future__ import annotations

import pytest

from accueil.core.routing import STRATEGIES, Engine, EngineConfig, strategy_named
from accueil.core.routing.events import AgentLoggedIn, AgentReady, CallEnqueued, Offer
from accueil.errors import InvalidInput


def _agents(d, names, at=0.0):
    for n in names:
        d.agent(n, at=at)


def test_round_robin_goes_on_after_the_last_agent_chosen(desk):
    d = desk("round_robin", wrapup_seconds=0)
    _agents(d, ["a", "b", "c"])
    chosen = []
    for i in range(5):
        d.call(f"c{i}", at=10 * i + 1)
        chosen.append(d.offer(f"c{i}").agent)
        d.serve(f"c{i}", at=10 * i + 1, talk=2)
    assert chosen == ["a", "b", "c", "a", "b"]


def test_random_strategy_repeats_exactly_for_a_seed(desk):
    def run(seed):
        d = desk("random", seed=seed)
        _agents(d, [f"a{i}" for i in range(20)])
        return [d.call(f"c{i}", at=1)[0].agent for i in range(10)]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_fewest_calls_prefers_the_agent_who_answered_least(desk):
    d = desk("fewest_calls", wrapup_seconds=0)
    _agents(d, ["a", "b"])
    d.call("c0", at=1)
    d.serve("c0", at=1, talk=2)  # a: 1 call, now idle since 3; b idle since 0
    d.call("c1", at=4)
    d.serve("c1", at=4, talk=2)
    assert [o.agent for o in d.offers()] == ["a", "b"]
    d.call("c2", at=10)
    assert d.offer("c2").agent == "a"  # equal counts: the longest idle


def test_baselines_ignore_familiarity(desk):
    d = desk("longest_idle", wrapup_seconds=0)
    _agents(d, ["a", "b"])
    d.call("c0", at=1)
    d.serve("c0", at=1, talk=2)  # a knows acme, b has been idle longer
    assert d.call("c1", at=10)[0].agent == "b"


def test_every_named_strategy_offers_a_call_to_a_ready_agent():
    for name in STRATEGIES:
        engine = Engine(EngineConfig(), name)
        assert engine.strategy_name == name
        engine.handle(AgentLoggedIn(0, "ann", site="A"))
        engine.handle(AgentReady(0, "ann"))
        (offer,) = engine.handle(CallEnqueued(1, "c", "acme"))
        assert isinstance(offer, Offer) and offer.agent == "ann"


def test_unknown_strategy_is_refused_with_the_known_ones():
    with pytest.raises(InvalidInput, match="longest_idle"):
        strategy_named("shortest_queue")


def test_invalid_configuration_is_refused_with_reasons():
    with pytest.raises(InvalidInput) as caught:
        EngineConfig(offer_timeout=0, budget="greedy")
    assert "offer_timeout" in caught.value.message and "greedy" in caught.value.message


def test_enqueue_with_bad_input_is_refused_and_changes_nothing():
    engine = Engine()
    with pytest.raises(InvalidInput, match="target_seconds"):
        engine.handle(CallEnqueued(0, "c1", "acme", target_seconds=-1))
    assert engine.snapshot().waiting == ()


def test_same_events_give_the_same_commands(desk):
    def run():
        d = desk("accueil", wrapup_seconds=5)
        _agents(d, ["a", "b", "c"])
        for i in range(12):
            d.call(f"c{i}", at=i * 7, account=f"acc{i % 3}", person=f"p{i % 5}")
            d.until(i * 7 + 1)
            offers = [o for o in d.offers() if o.call == f"c{i}"]
            if offers:
                d.serve(f"c{i}", at=i * 7 + 1, talk=11)
        return d.commands

    first = run()
    assert first == run()
    assert any(isinstance(c, Offer) for c in first)
