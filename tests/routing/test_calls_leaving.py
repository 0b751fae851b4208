"""Calls that leave unanswered: maximum wait (overflow to the fallback) and abandonment."""

from __future__ import annotations

from accueil.core.routing.events import CallAbandoned, Ignored, Offer, Overflow, RevokeOffer


def test_max_wait_overflows_the_call_to_its_fallback(desk):
    d = desk(max_wait=90, overflow_unservable=False)
    d.call("c1", at=0)
    assert d.until(89) == []
    assert d.until(90) == [Overflow("c1", "waited 90 s, the maximum")]
    assert d.engine.snapshot().waiting == ()


def test_the_calls_own_max_wait_wins_over_the_default(desk):
    d = desk(max_wait=300, overflow_unservable=False)
    d.call("c1", at=0, max_wait=30)
    assert Overflow("c1", "waited 30 s, the maximum") in d.until(30)


def test_max_wait_while_ringing_revokes_the_offer(desk):
    d = desk("longest_idle", max_wait=20, offer_timeout=30)
    d.agent("ann", at=10)
    d.call("c1", at=15, since=0)
    out = d.until(20)
    assert RevokeOffer("c1", "ann", d.offer("c1").token, "waited 20 s, the maximum") in out
    assert Overflow("c1", "waited 20 s, the maximum") in out
    assert d.engine.snapshot().ready[0].agent == "ann"


def test_call_already_past_its_max_wait_overflows_at_once(desk):
    d = desk(max_wait=60, overflow_unservable=False)
    assert d.call("c1", at=100, since=0) == [Overflow("c1", "waited over the maximum of 60 s")]


def test_abandoned_while_ringing_revokes_the_offer_and_frees_the_agent(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.call("c1", at=1)
    d.call("c2", at=2)
    out = d.feed(CallAbandoned(3, "c1"))
    assert out[0] == RevokeOffer("c1", "ann", d.offer("c1").token, "caller hung up")
    assert isinstance(out[1], Offer) and out[1].call == "c2"


def test_abandoned_while_waiting_leaves_the_line(desk):
    d = desk(overflow_unservable=False)
    d.call("c1", at=0)
    assert d.feed(CallAbandoned(5, "c1")) == []
    assert d.engine.snapshot().waiting == ()
    assert isinstance(d.feed(CallAbandoned(6, "c1"))[0], Ignored)


def test_hanging_up_after_the_answer_is_not_an_abandonment(desk):
    d = desk()
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.answer("c1", at=1)
    (ignored,) = d.feed(CallAbandoned(5, "c1"))
    assert isinstance(ignored, Ignored)
    assert d.engine.snapshot().agents[0].status == "busy"


def test_no_overflow_after_the_call_was_answered(desk):
    d = desk(max_wait=30)
    d.agent("ann", at=0)
    d.call("c1", at=0)
    d.answer("c1", at=1)
    assert not [c for c in d.until(100) if isinstance(c, Overflow)]
