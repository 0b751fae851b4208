"""accueil_teams: flexible agents take big accounts and strangers' calls; specialists are kept."""

from __future__ import annotations

import pytest

from accueil.core.routing import EngineConfig
from accueil.core.routing.events import AgentReady
from accueil.errors import InvalidInput

EVERY_ACCOUNT_IS_BIG = 1e-9  # Erlangs: one arrival makes an account "big"
NO_ACCOUNT_IS_BIG = 1e9


def _flexible_first_logged_in_but_ready_last(d):
    """f0 logs in first (order 0: flexible with flex_every=2), s1 second; s1 is idle longest."""
    d.agent("f0", at=0.0, ready=False)
    d.agent("s1", at=0.0)
    d.feed(AgentReady(5.0, "f0"))


def test_a_big_accounts_call_goes_to_a_flexible_agent_before_a_longer_idle_specialist(desk):
    d = desk("accueil_teams", flex_every=2, big_erlangs=EVERY_ACCOUNT_IS_BIG)
    _flexible_first_logged_in_but_ready_last(d)
    d.call("big", at=6.0, account="bigco")
    assert d.offer("big").agent == "f0"


def test_a_small_accounts_call_goes_to_a_familiar_specialist_before_a_flexible_agent(desk):
    d = desk("accueil_teams", flex_every=2, big_erlangs=NO_ACCOUNT_IS_BIG, wrapup_seconds=0)
    d.agent("f0", at=0.0)  # order 0: flexible
    d.agent("s1", at=0.0)  # order 1: specialist
    d.call("c0", at=1.0)
    assert d.offer("c0").agent == "f0"  # nobody familiar yet: the flexible agent
    d.serve("c0", at=1.0, talk=2.0)
    d.call("c1", at=4.0)
    assert d.offer("c1").agent == "f0"  # f0 is familiar now, s1 is not
    d.serve("c1", at=4.0, talk=2.0)
    d.call("c2", at=10.0, account="other")  # a stranger's call: the flexible agent
    assert d.offer("c2").agent == "f0"


def test_a_strangers_call_spares_the_specialist_and_goes_to_the_flexible_agent(desk):
    d = desk("accueil_teams", flex_every=2, big_erlangs=NO_ACCOUNT_IS_BIG)
    _flexible_first_logged_in_but_ready_last(d)
    d.call("c0", at=6.0)
    assert d.offer("c0").agent == "f0"


def test_without_flexible_agents_the_longest_idle_unfamiliar_agent_is_chosen(desk):
    d = desk("accueil_teams", flex_every=0, big_erlangs=NO_ACCOUNT_IS_BIG)
    _flexible_first_logged_in_but_ready_last(d)
    d.call("c0", at=6.0)
    assert d.offer("c0").agent == "s1"


def test_big_accounts_may_wait_less_for_a_familiar_agent(desk):
    def first_offer(**config):
        d = desk("accueil_teams", flex_every=0, big_erlangs=EVERY_ACCOUNT_IS_BIG, **config)
        d.agent("known", at=0.0)
        d.call("c0", at=1.0)
        d.serve("c0", at=1.0, talk=10.0)  # known: wrap-up until 31
        d.agent("stranger", at=12.0)
        d.call("c1", at=20.0)  # known ends wrap-up within the 15 s budget
        return d.offers()[-1]

    assert first_offer().call == "c0"  # c1 waits for the familiar agent's wrap-up
    assert first_offer(big_budget_share=0.0).agent == "stranger"


@pytest.mark.parametrize(
    "bad", [{"flex_every": -1}, {"protect": "share"}, {"big_budget_share": -0.5}]
)
def test_bad_teams_settings_are_refused_with_reasons(bad):
    with pytest.raises(InvalidInput, match=r"flex_every|protect|big_budget_share"):
        EngineConfig(**bad)


def test_weighing_stranded_accounts_by_rate_spares_the_agent_of_the_busier_account(desk):
    def chosen(protect):
        d = desk("accueil_teams", flex_every=0, protect=protect, wrapup_seconds=0)
        d.agent("a", at=0.0)
        d.agent("b", at=0.0)
        for i, at in enumerate((1.0, 5.0, 9.0)):  # a alone knows "busy": three calls
            d.call(f"busy{i}", at=at, account="busy")
            d.serve(f"busy{i}", at=at, talk=1.0)
        d.call("quiet0", at=12.0, account="quiet")  # b alone knows "quiet": one call
        d.serve("quiet0", at=12.0, talk=1.0)
        assert {o.agent for o in d.offers()} == {"a", "b"}
        d.call("new", at=20.0, account="newco")
        return d.offer("new").agent

    assert chosen("count") == "a"  # one account stranded either way: the longest idle
    assert chosen("rate") == "b"  # taking a would strand the busier account
