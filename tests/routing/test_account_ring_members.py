"""The account ring with or without the person's own agents (``person_in_account_ring``), and
whether the account's team goes before them (``team_first``)."""

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


def _team_member_and_the_persons_former_agent_both_ready(d):
    """p served pia (acme) first; a, b, c then answered acme and are its team. At 200 a is
    ready again, b and c still talk, and p — who is in no team — is ready too."""
    for name in ("p", "a", "b", "c"):
        d.agent(name, at=0.0)
    d.call("c0", at=0.0, person="pia")
    assert d.offer("c0").agent == "p"
    d.serve("c0", at=0.0, talk=5.0)  # p: wrap-up until 25
    for i, name in enumerate(("a", "b", "c")):
        d.call(f"x{i}", at=1.0 + i, person=f"x{i}")
        assert d.offer(f"x{i}").agent == name
        d.answer(f"x{i}", at=1.0 + i)
    d.finish("x0", at=150.0)  # a: wrap-up until 170; b and c talk on
    d.until(200.0)
    return d.call("c1", at=200.0, person="pia")


def test_with_team_first_a_ready_team_member_goes_before_the_persons_agent_outside_it(desk):
    d = desk("accueil", team_first=True)
    offered = _team_member_and_the_persons_former_agent_both_ready(d)
    assert [o.agent for o in offered] == ["a"]


def test_by_default_the_persons_agent_whom_no_team_needs_goes_first(desk):
    # p, whom no account's team needs, is spared less than a, acme's last ready member
    d = desk("accueil")
    offered = _team_member_and_the_persons_former_agent_both_ready(d)
    assert [o.agent for o in offered] == ["p"]


def _freed_agent_knows_one_waiting_call_by_its_person_and_another_by_its_team(d):
    """q served bob (beta), then a, b, c took over beta's team; q then answered acme. While
    everyone is busy, bob calls again (y1), then acme (x1); q is the first agent freed, at 95."""
    for name in ("q", "a", "b", "c"):
        d.agent(name, at=0.0)
    d.call("y0", at=0.0, account="beta", person="bob")
    d.answer("y0", at=0.0)
    for i in range(3):
        d.call(f"b{i}", at=1.0 + i, account="beta", person=f"p{i}")
        d.answer(f"b{i}", at=1.0 + i)
    d.finish("y0", at=45.0)  # q: wrap-up until 65
    d.until(70.0)
    d.call("x0", at=70.0, account="acme", person="xa")
    assert d.offer("x0").agent == "q"
    d.answer("x0", at=70.0)
    d.finish("x0", at=75.0)  # q: wrap-up until 95
    d.call("y1", at=80.0, account="beta", person="bob")
    d.call("x1", at=81.0, account="acme", person="xb")
    d.until(95.0)
    return d


def test_with_team_first_a_freed_agent_takes_its_teams_call_before_one_known_by_person(desk):
    d = desk("accueil", team_first=True)
    d = _freed_agent_knows_one_waiting_call_by_its_person_and_another_by_its_team(d)
    assert d.offer("x1").agent == "q"
    assert not [o for o in d.offers() if o.call == "y1"]


def test_by_default_a_freed_agent_takes_the_first_call_in_line_it_knows(desk):
    d = desk("accueil")
    d = _freed_agent_knows_one_waiting_call_by_its_person_and_another_by_its_team(d)
    assert d.offer("y1").agent == "q"
