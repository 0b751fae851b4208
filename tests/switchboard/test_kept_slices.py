"""The switchboard keeps each number's slice (directory, rules, lists) between calls and checks
it on every call against its account's routing version: a change is followed by the very next
call, whoever made it; the screen pop shows the decision the call was routed by."""

from __future__ import annotations

from board_world import (
    BLOCKED,
    CALLER,
    CLAIRE_RULES,
    EXAMPLES,
    MESSAGE_ANSWERS,
    MONDAY_10,
    Board,
    play,
)
from sqlalchemy import Engine

from accueil.services.callers import set_caller_list
from accueil.services.rules import save_rules
from accueil.services.script_layers import Owner
from accueil.services.scripts import save_script
from accueil.services.unit_of_work import Application
from accueil.switchboard.clock import SimulatedClock

ALL_TO_MESSAGE = {
    "account": "martin",
    "person": "claire",
    "rules": [{"name": "all to a message", "then": {"type": "message"}}],
}


def _elsewhere(engine: Engine) -> Application:
    """Another process on the same database: none of its events reach the switchboard."""
    return Application(engine, SimulatedClock(MONDAY_10))


def test_a_rule_saved_between_two_calls_decides_the_next_one(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.board.login("alice")  # not ready: the calls wait in line
        await w.ring("c1")
        await w.ring("c2")
        assert {w.board.calls[c].treatment for c in ("c1", "c2")} == {"answer"}
        assert w.board.slices.reads == 1  # the second call used the kept slice
        with _elsewhere(w.app.engine).unit_of_work() as work:
            save_rules(work.session, "martin", ALL_TO_MESSAGE, now=work.now)
        await w.ring("c3")
        assert w.board.calls["c3"].decision.rule == "all to a message"
        assert w.board.calls["c3"].treatment == "message"
        assert w.board.slices.reads == 2

    play(seeded, scenario)


def test_a_caller_list_changed_between_two_calls_decides_the_next_one(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.board.login("alice")
        await w.ring("c1")
        assert w.board.calls["c1"].treatment == "answer"
        with _elsewhere(w.app.engine).unit_of_work() as work:
            set_caller_list(work.session, "martin", "blocked", [BLOCKED, CALLER], now=work.now)
        await w.ring("c2")
        assert w.telephony.requests("c2") == [("hang_up", "rejected (polite)")]
        assert [r.fate for r in w.records()] == ["rejected"]

    play(seeded, scenario)


def test_the_pop_shows_the_decision_the_call_was_routed_by(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.board.login("alice")  # not ready: the call waits in line
        await w.ring("c1")
        routed_by = w.board.calls["c1"].decision
        with w.app.unit_of_work() as work:  # the rules change while it waits
            save_rules(work.session, "martin", ALL_TO_MESSAGE, now=work.now)
        await w.board.ready("alice")
        await w.settle()
        pop = w.desks.last("alice", "offer")["pop"]
        assert (pop["rule"], pop["treatment"]) == (routed_by.rule, routed_by.treatment.type)
        assert pop["explanation"] == routed_by.explanation
        assert pop["rule"] != "all to a message"
        with w.app.unit_of_work() as work:  # back to Claire's rules: the next call follows
            save_rules(work.session, "martin", CLAIRE_RULES, now=work.now)
        await w.ring("c2", caller=BLOCKED)
        assert w.telephony.requests("c2") == [("hang_up", "rejected (polite)")]

    play(seeded, scenario)


def test_the_pop_made_at_arrival_tells_the_offered_agent_whether_they_know_the_account(
    seeded: Engine,
) -> None:
    async def scenario(w: Board) -> None:
        await w.agent_ready("alice")
        await w.ring("c1")
        first = w.desks.last("alice", "offer")
        assert first["pop"]["familiar"]["account"] is False
        await w.board.accept("alice", "c1", first["token"])
        await w.settle()
        await w.board.finish("alice", "c1", MESSAGE_ANSWERS)
        await w.settle(60.0)  # wrap-up over
        await w.board.login("bob")  # not ready: c2 waits with its pop made at arrival
        await w.ring("c2")
        assert "c2" in w.board.ready_pops
        await w.board.ready("bob")
        await w.settle()
        offered = [m for m in w.desks.of("alice", "offer") + w.desks.of("bob", "offer")]
        [second] = [m for m in offered if m["call"] == "c2"]
        agent = "alice" if second in w.desks.of("alice", "offer") else "bob"
        familiar = second["pop"]["familiar"]
        assert familiar["account"] is (agent == "alice")
        assert familiar["account_calls"] == (1 if agent == "alice" else 0)
        assert second["pop"]["person"]["name"] == "Claire Martin"

    play(seeded, scenario)


def test_a_script_saved_between_two_calls_is_in_the_next_calls_pop(seeded: Engine) -> None:
    """The pops keep each slice's script with it: a script saved elsewhere bumps the routing
    version, and the next call's pop shows the new version."""
    script = (EXAMPLES / "scripts" / "cabinet-martin.yaml").read_text(encoding="utf-8")

    async def scenario(w: Board) -> None:
        await w.board.login("alice")  # not ready: the calls wait in line, popped at arrival
        await w.ring("c1")
        await w.ring("c2")
        assert w.board.slices.reads == 1
        with _elsewhere(w.app.engine).unit_of_work() as work:
            save_script(work.session, "martin", Owner("account"), script, now=work.now)
        await w.ring("c3")
        refs = {c: w.board.ready_pops[c]["script"]["ref"] for c in ("c1", "c2", "c3")}
        assert refs == {"c1": "account:1", "c2": "account:1", "c3": "account:2"}
        assert w.board.slices.reads == 2

    play(seeded, scenario)
