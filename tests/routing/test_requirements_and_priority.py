"""Hard requirements are never relaxed; priority is a time bonus; ties to the longest waiting."""

from __future__ import annotations

from accueil.core.routing.events import Offer, Overflow


def test_language_requirement_is_never_relaxed(desk):
    d = desk(max_wait=120)
    d.agent("ann", at=0, languages=("fr",))
    assert d.call("c1", at=1, languages=("en",)) == []
    out = d.until(200)
    assert not d.offers()
    assert Overflow("c1", "waited 120 s, the maximum") in out


def test_call_needing_english_goes_to_an_agent_who_speaks_it(desk):
    d = desk("longest_idle")
    d.agent("ann", at=0, languages=("fr",))
    d.agent("eve", at=5, languages=("fr", "en"))
    (offer,) = d.call("c1", at=10, languages=("en",))
    assert isinstance(offer, Offer) and offer.agent == "eve"


def test_freed_agent_skips_calls_it_cannot_take(desk):
    d = desk("longest_idle")
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
    d = desk()
    d.agent("ann", at=0)
    assert d.call("c1", at=1, certification_required=True) == []
    d.agent("bob", at=30, trainings=(("acme", 1),))
    assert d.offer("c1").agent == "bob"


def test_premium_call_goes_before_a_standard_call_that_waited_less_than_the_bonus(desk):
    d = desk("longest_idle")  # premium bonus: 30 s
    d.call("std", at=0, account="a")
    d.call("prem", at=10, account="b", tier="premium")
    d.agent("ann", at=20)
    assert [o.call for o in d.offers()] == ["prem"]


def test_standard_call_that_waited_longer_than_the_bonus_goes_first(desk):
    d = desk("longest_idle")
    d.call("std", at=0, account="a")
    d.call("prem", at=40, account="b", tier="premium")
    d.agent("ann", at=50)
    assert [o.call for o in d.offers()] == ["std"]


def test_equal_priority_goes_to_the_longest_waiting(desk):
    d = desk("longest_idle", tier_bonus={"premium": 10.0})
    d.call("prem", at=10, account="b", tier="premium")
    d.call("std", at=0, account="a")  # same priority (0 + 0 = 10 - 10), waiting longer
    d.agent("ann", at=20)
    assert [o.call for o in d.offers()] == ["std"]


def test_call_put_back_in_line_keeps_its_original_place(desk):
    d = desk("longest_idle")
    d.call("c1", at=100)
    d.call("c0", at=110, since=50)  # it was already waiting since 50 elsewhere
    d.agent("ann", at=120)
    assert [o.call for o in d.offers()] == ["c0"]
