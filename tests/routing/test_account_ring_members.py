"""The account ring with or without the person's own agents (``person_in_account_ring``)."""

from __future__ import annotations


def _team_in_wrapup_and_the_persons_agent_ready(d):
    """p served pia (acme) first; a, b, c then answered acme and are the account's team; at 120
    a, b, c are in wrap-up until 130-132 and p, who is not in the team any more, is ready."""
    for name in ("p", "a", "b", "c"):
        d.agent(name, at=0.0)
    d.call("c0", at=1.0, person="pia")
    assert d.offer("c0").agent == "p"
    d.serve("c0", at=1.0, talk=8.0)  # p: wrap-up until 29, too late for x0-x2
    for i, name in enumerate(("a", "b", "c")):
        at = 10.0 + i
        d.call(f"x{i}", at=at, person=f"x{i}")
        assert d.offer(f"x{i}").agent == name
        d.answer(f"x{i}", at=at)
    for i in range(3):
        d.finish(f"x{i}", at=110.0 + i)  # wrap-up until 130 + i
    d.until(120.0)
    return d.call("c1", at=120.0, person="pia")


def test_by_default_a_persons_own_agent_in_the_account_ring_takes_the_call_at_once(desk):
    d = desk("accueil")
    offered = _team_in_wrapup_and_the_persons_agent_ready(d)
    assert [o.agent for o in offered] == ["p"]


def test_without_the_persons_agents_the_call_waits_for_the_accounts_team(desk):
    d = desk("accueil", person_in_account_ring=False)
    assert _team_in_wrapup_and_the_persons_agent_ready(d) == []
    d.until(130.0)
    assert d.offer("c1").agent == "a"  # the first team member out of wrap-up
