"""Offers are leases: fencing tokens, deadlines, misses, declines, stale and duplicate events."""

from __future__ import annotations

from accueil.core.routing.events import (
    Bridge,
    CallEnded,
    Ignored,
    Offer,
    OfferAccepted,
    OfferDeclined,
    PauseAgent,
    RevokeOffer,
)


def test_arriving_call_is_offered_to_longest_idle_ready_agent(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.agent("bob", at=5)
    (offer,) = d.call("c1", at=10)
    assert offer == Offer("c1", "ann", offer.token, 25.0, "everyone", offer.reason)


def test_agent_becoming_ready_takes_the_call_first_in_line(desk):
    d = desk("longest_idle", overflow_unservable=False)
    d.call("c1", at=0)
    d.call("c2", at=1)
    d.agent("ann", at=2)
    assert d.offer("c1").agent == "ann"
    assert [o.call for o in d.offers()] == ["c1"]


def test_each_offer_has_a_new_increasing_token(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.agent("bob", at=0)
    first = d.call("c1", at=1)[0]
    second = d.call("c2", at=1)[0]
    assert isinstance(first, Offer) and isinstance(second, Offer)
    assert second.token > first.token


def test_accepted_offer_connects_and_reports_the_wait(desk):
    d = desk("longest_idle", overflow_unservable=False)
    d.call("c1", at=0)
    d.agent("ann", at=7)
    (connect,) = d.answer("c1", at=9)
    assert connect == Bridge("c1", "ann", d.offer("c1").token, 9.0, False)


def test_missed_offer_keeps_callers_place_in_line(desk):
    d = desk("longest_idle", offer_timeout=10)
    d.agent("ann", at=0)
    d.call("c1", at=1)  # offered to ann, who will not answer
    d.call("c2", at=2)
    out = d.until(11)
    assert RevokeOffer("c1", "ann", d.offer("c1").token, "offer not answered within 10 s") in out
    # ann is ready again but may not get c1 back: she takes c2; c1 keeps its place for bob.
    assert d.offer("c2").agent == "ann"
    d.agent("bob", at=12)
    assert d.offer("c1").agent == "bob"


def test_declined_offer_goes_to_the_next_agent(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.agent("bob", at=1)
    first = d.call("c1", at=2)[0]
    assert isinstance(first, Offer) and first.agent == "ann"
    out = d.feed(OfferDeclined(3, "c1", "ann", first.token))
    assert [(o.call, o.agent) for o in out if isinstance(o, Offer)] == [("c1", "bob")]


def test_consecutive_missed_offers_pause_the_agent(desk):
    d = desk("longest_idle", offer_timeout=5, max_consecutive_misses=2)
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.until(5)  # first miss; ann is offered nothing else (she missed c1)
    d.call("c2", at=6)
    out = d.until(11)
    assert PauseAgent("ann", "missed 2 offers in a row") in out
    d.call("c3", at=12)
    assert [o.call for o in d.offers()] == ["c1", "c2"]


def test_an_answered_call_resets_the_miss_count(desk):
    d = desk("longest_idle", offer_timeout=5, max_consecutive_misses=2, wrapup_seconds=0)
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.until(5)
    d.call("c2", at=6)
    d.serve("c2", at=7, talk=10)
    d.call("c3", at=20)
    d.until(25)  # a second miss, but not in a row
    assert not [c for c in d.commands if isinstance(c, PauseAgent)]


def test_accept_with_a_stale_token_is_ignored_and_changes_nothing(desk):
    d = desk("longest_idle", offer_timeout=5)
    d.agent("ann", at=0)
    d.agent("bob", at=1)
    old = d.call("c1", at=2)[0]
    assert isinstance(old, Offer)
    d.until(8)  # the lease lapsed at 7; c1 now rings bob
    before = d.engine.snapshot()
    (ignored,) = d.feed(OfferAccepted(8, "c1", "ann", old.token))
    assert isinstance(ignored, Ignored) and "stale token" in ignored.reason
    assert d.engine.snapshot() == before
    assert d.offer("c1").agent == "bob"


def test_duplicate_accept_is_harmless(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.answer("c1", at=1)
    (again,) = d.answer("c1", at=1)
    assert isinstance(again, Ignored)
    assert d.engine.snapshot().agents[0].status == "busy"


def test_late_end_after_the_call_ended_is_ignored(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.serve("c1", at=1, talk=30)
    token = d.offer("c1").token
    (late,) = d.feed(CallEnded(40, "c1", "ann", token))
    assert isinstance(late, Ignored) and late.reason == "call already over (answered)"


def test_end_with_a_wrong_token_is_ignored(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.answer("c1", at=1)
    (wrong,) = d.feed(CallEnded(5, "c1", "ann", 999))
    assert isinstance(wrong, Ignored)
    assert d.engine.snapshot().agents[0].status == "busy"


def test_duplicate_enqueue_is_ignored(desk):
    d = desk("longest_idle", overflow_unservable=False)
    d.call("c1", at=0)
    (dup,) = d.call("c1", at=1)
    assert isinstance(dup, Ignored)
    assert len(d.engine.snapshot().waiting) == 1


def test_an_agent_who_missed_a_call_gets_it_again_after_a_while_when_nobody_else_can(desk):
    d = desk("longest_idle", offer_timeout=10, retry_after=30, max_wait=None)
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.until(39)  # lapsed at 10: ann is ready, but not offered c1 again yet
    assert [o.agent for o in d.offers()] == ["ann"]
    out = d.until(40)
    assert [(o.call, o.agent) for o in out if isinstance(o, Offer)] == [("c1", "ann")]
