"""The supervisor's view: who waits since when and in which ring, who is ready, offers in flight."""

from __future__ import annotations

from accueil.core.routing.events import AgentPaused


def test_snapshot_shows_the_line_the_ready_agents_and_offers(desk):
    d = desk("longest_idle", offer_timeout=30)
    d.agent("ann", at=0)
    d.agent("bob", at=3)
    d.agent("cat", at=4)
    d.feed(AgentPaused(5, "cat", "training"))
    d.call("c1", at=10)  # rings ann
    d.call("c2", at=11)  # rings bob
    d.call("c3", at=12, tier="premium")  # waits, first in line
    snap = d.engine.snapshot()
    assert snap.at == 12
    assert [(w.call, w.waited, w.ring, w.offered_to) for w in snap.waiting] == [
        ("c3", 0, "everyone", None),
        ("c1", 2, "everyone", "ann"),
        ("c2", 1, "everyone", "bob"),
    ]
    assert {(o.call, o.agent) for o in snap.offers} == {("c1", "ann"), ("c2", "bob")}
    assert {a.agent: (a.status, a.reason) for a in snap.agents} == {
        "ann": ("offered", ""),
        "bob": ("offered", ""),
        "cat": ("paused", "training"),
    }


def test_snapshot_lists_ready_agents_idle_longest_first(desk):
    d = desk()
    d.agent("bob", at=3)
    d.agent("ann", at=1, ready=False)
    d.agent("ann", at=1, ready=True)
    assert [(a.agent, a.idle_since) for a in d.engine.snapshot().ready][:1] == [("bob", 3)]
