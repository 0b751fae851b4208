"""Hard requirements are never relaxed; priority is a time bonus; ties to the longest waiting."""

from __future__ import annotations

from accueil.core.routing.events import AgentLoggedOut, Offer, Overflow


def test_language_requirement_is_never_relaxed(desk):
    d = desk(max_wait=120, overflow_unservable=False)
    d.agent("ann", at=0, languages=("fr",))
    assert d.call("c1", at=1, languages=("en",)) == []
    out = d.until(200)
    assert not d.offers()
    assert Overflow("c1", "waited 120 s, the maximum") in out


def test_a_call_no_logged_in_agent_can_take_overflows_at_once_with_the_reason(desk):
    d = desk(max_wait=120)
    d.agent("ann", at=0, languages=("fr",))
    d.agent("bob", at=0, ready=False, languages=("fr", "de"))  # paused, but could come back
    reason = "no logged-in agent can take it (needs language en)"
    assert d.call("c1", at=1, languages=("en",)) == [Overflow("c1", reason)]
    assert d.call("c2", at=2, languages=("de",)) == []  # bob is logged in: it waits for him
    assert d.engine.snapshot().waiting[0].call == "c2"


def test_a_certified_call_nobody_logged_in_is_trained_for_overflows_at_once(desk):
    d = desk()
    d.agent("ann", at=0)
    (overflow,) = d.call("c1", at=1, certification_required=True)
    assert overflow == Overflow(
        "c1", "no logged-in agent can take it (needs language fr and training on account acme)"
    )


def test_when_the_last_agent_able_to_take_a_waiting_call_logs_out_it_overflows(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0, languages=("fr",))
    d.agent("eve", at=0, languages=("fr", "en"))
    d.call("busy", at=1, languages=("en",))
    d.answer("busy", at=2)  # eve is on a call
    assert d.call("c1", at=3, languages=("en",)) == []  # waits for eve
    assert d.feed(AgentLoggedOut(4, "eve")) == []  # she leaves after her call
    out = d.finish("busy", at=50)
    assert Overflow("c1", "no logged-in agent can take it (needs language en)") in out
    assert d.engine.snapshot().waiting == ()


def test_no_agent_at_all_means_the_call_overflows_at_once(desk):
    d = desk()
    (overflow,) = d.call("c1", at=0)
    assert overflow.call == "c1" and "no logged-in agent" in overflow.reason


def test_call_needing_english_goes_to_an_agent_who_speaks_it(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0, languages=("fr",))
    d.agent("eve", at=5, languages=("fr", "en"))
    (offer,) = d.call("c1", at=10, languages=("en",))
    assert isinstance(offer, Offer) and offer.agent == "eve"


def test_freed_agent_skips_calls_it_cannot_take(desk):
    d = desk("longest_idle", overflow_unservable=False)
    d.call("c1", at=0, languages=("en",))
    d.call("c2", at=1, languages=("fr",))
    d.agent("ann", at=2, languages=("fr",))
    assert [o.call for o in d.offers()] == ["c2"]


def test_certification_requires_training_on_the_account(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0)
    d.agent("bob", at=5, trainings=(("acme", 1),))
    (offer,) = d.call("c1", at=10, certification_required=True)
    assert isinstance(offer, Offer) and offer.agent == "bob"


def test_certified_call_waits_for_a_trained_agent(desk):
    d = desk(overflow_unservable=False)
    d.agent("ann", at=0)
    assert d.call("c1", at=1, certification_required=True) == []
    d.agent("bob", at=30, trainings=(("acme", 1),))
    assert d.offer("c1").agent == "bob"


def test_premium_call_goes_before_a_standard_call_that_waited_less_than_the_bonus(desk):
    d = desk("longest_idle", overflow_unservable=False)  # premium bonus: 30 s
    d.call("std", at=0, account="a")
    d.call("prem", at=10, account="b", tier="premium")
    d.agent("ann", at=20)
    assert [o.call for o in d.offers()] == ["prem"]


def test_standard_call_that_waited_longer_than_the_bonus_goes_first(desk):
    d = desk("longest_idle", overflow_unservable=False)
    d.call("std", at=0, account="a")
    d.call("prem", at=40, account="b", tier="premium")
    d.agent("ann", at=50)
    assert [o.call for o in d.offers()] == ["std"]


def test_equal_priority_goes_to_the_longest_waiting(desk):
    d = desk("longest_idle", tier_bonus={"premium": 10.0}, overflow_unservable=False)
    d.call("prem", at=10, account="b", tier="premium")
    d.call("std", at=0, account="a")  # same priority (0 + 0 = 10 - 10), waiting longer
    d.agent("ann", at=20)
    assert [o.call for o in d.offers()] == ["std"]


def test_call_put_back_in_line_keeps_its_original_place(desk):
    d = desk("longest_idle", overflow_unservable=False)
    d.call("c1", at=100)
    d.call("c0", at=110, since=50)  # it was already waiting since 50 elsewhere
    d.agent("ann", at=120)
    assert [o.call for o in d.offers()] == ["c0"]
