"""Each answered call is classified by what its account's most recent answerers were doing."""

from __future__ import annotations

import pytest

from accueil.sim.metrics import CallResult, Fate
from accueil.sim.reach import Reach, reach
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Presence, Scenario

AGENTS = ("x", "y", "z", "w")
HANDLE = 100.0


def _scenario(calls: list[CallSpec], counted_from: float = 1030.0) -> Scenario:
    return Scenario(
        name="t",
        accounts=(AccountSpec("a", "standard", 20), AccountSpec("b", "standard", 20)),
        agents=tuple(
            AgentSpec(k, "A", ("fr", "en") if k in ("w", "x") else ("fr",)) for k in AGENTS
        ),
        presences=tuple(Presence(k, 0, 10_000) for k in AGENTS),
        calls=tuple(calls),
        counted_from=counted_from,
        wrap_up_seconds=20,
        ring_seconds=2,
    )


def _spec(
    key: str, arrival: float, account: str = "a", languages: tuple[str, ...] = ("fr",)
) -> CallSpec:
    return CallSpec(key, arrival, account, "p", languages, HANDLE)


def _answered(
    spec: CallSpec, agent: str, waited: float = 2.0, freed: float | None = None
) -> CallResult:
    return CallResult(
        spec.key, spec.account, spec.person, spec.arrival, Fate.ANSWERED, waited, agent, freed
    )


def _history(start: float = 0.0) -> list[tuple[CallSpec, str]]:
    """Account a answered by x, y, z (z most recently), each call 100 s + 20 s wrap-up."""
    return [(_spec(f"h{i}", start + 10 * i), agent) for i, agent in enumerate(("x", "y", "z"))]


def _run(
    history: list[tuple[CallSpec, str]], call: CallSpec, agent: str, waited: float = 2.0
) -> Reach:
    specs = [s for s, _ in history] + [call]
    records = [_answered(s, a) for s, a in history] + [_answered(call, agent, waited)]
    return reach(_scenario(specs), records)


def test_a_call_whose_recent_answerers_all_talk_is_answered_fast_only_by_a_stranger() -> None:
    # x, y, z connected at 1002, 1012, 1022 and talk until 1102, 1112, 1122
    result = _run(_history(1000), _spec("c", 1050), "w")
    assert result.shares["talk"] == 1.0
    assert result.forced_strangers == 1
    assert result.ceiling == 0.0


def test_one_free_recent_answerer_makes_the_call_reachable() -> None:
    history = _history(1000)
    history[0] = (_spec("h0", 800), "x")  # x finished (talk to 902, wrap-up to 922)
    result = _run(history, _spec("c", 1050), "x")
    assert result.shares["free"] == 1.0
    assert result.affinity["free"] == 1.0
    assert result.forced_strangers == 0
    assert result.ceiling == 1.0


def test_a_recent_answerer_in_wrap_up_makes_the_call_a_wrap_call() -> None:
    history = _history(1000)
    history[0] = (_spec("h0", 930), "x")  # x talks 932-1032, wraps up until 1052
    result = _run(history, _spec("c", 1040), "x", waited=14)
    assert result.shares["wrap"] == 1.0
    assert result.affinity["wrap"] == 1.0


def test_an_account_never_answered_before_has_nobody_to_reach() -> None:
    result = _run([(_spec("h", 1000, account="b"), "x")], _spec("c", 1500), "x")
    assert result.shares["none"] == 1.0
    assert result.forced_strangers == 1


def test_recent_answerers_who_lack_the_call_language_do_not_count() -> None:
    # y and z are free but speak only French; x (English) is talking
    history = [(_spec("h0", 1025), "x"), (_spec("h1", 700), "y"), (_spec("h2", 710), "z")]
    result = _run(history, _spec("c", 1050, languages=("en",)), "w")
    assert result.shares["talk"] == 1.0
    french = _run(history, _spec("c", 1050), "y")
    assert french.shares["free"] == 1.0


def test_the_call_own_offer_does_not_make_its_agent_busy() -> None:
    # x free since 922; the call is offered to x at its arrival and x picks up 2 s later
    history = [(_spec("h0", 800), "x"), (_spec("h1", 1000), "y"), (_spec("h2", 1010), "z")]
    result = _run(history, _spec("c", 1050), "x", waited=2)
    assert result.shares["free"] == 1.0


def test_a_talk_call_that_waited_for_its_agent_is_not_counted_against_the_ceiling() -> None:
    history = _history(1000)
    result = _run(history, _spec("c", 1050), "x", waited=80)  # x free at 1122
    assert result.shares["talk"] == 1.0
    assert result.affinity["talk"] == 1.0
    assert result.forced_strangers == 0


def test_warm_up_calls_feed_the_memory_but_are_not_classified() -> None:
    history = _history()  # before 1030: the warm-up
    result = _run(history, _spec("c", 1050), "x")
    assert result.answered == 1
    assert result.shares["free"] == 1.0


def test_no_answered_call_gives_an_empty_classification() -> None:
    result = reach(_scenario([]), [])
    assert result.answered == 0
    assert result.ceiling == pytest.approx(1.0)


def test_a_talk_call_that_waited_while_every_familiar_agent_stayed_busy_is_forced() -> None:
    # x, y, z are free again at 1122, 1132, 1142; w answers the call at 1110 after 60 s
    result = _run(_history(1000), _spec("c", 1050), "w", waited=60)
    assert result.shares["talk"] == 1.0
    assert result.forced_strangers == 1


def test_a_call_is_not_forced_once_a_recent_answerer_was_free_before_its_offer() -> None:
    # x is free again at 1122; the call is picked up by w at 1125, offered at 1123
    result = _run(_history(1000), _spec("c", 1050), "w", waited=75)
    assert result.forced_strangers == 0


def test_an_agent_freed_early_from_wrap_up_counts_as_free() -> None:
    # x talks 1002-1102 but says ready at 1040 (after a pause), before its wrap-up would end
    specs = [_spec(f"h{i}", 1000 + 10 * i) for i in range(3)]
    records = [_answered(specs[0], "x", freed=1040.0)]
    records += [_answered(s, a) for s, a in zip(specs[1:], "yz", strict=True)]
    call = _spec("c", 1050)
    result = reach(_scenario([*specs, call]), [*records, _answered(call, "x")])
    assert result.shares["free"] == 1.0
    assert result.forced_strangers == 0


def test_an_agent_who_answered_the_account_while_the_call_waited_may_be_free_for_it() -> None:
    # the account's first call (c0) arrives at 1040 with nobody to know; w answers it at once and
    # is free again at 1045; the second call (c1, arrived 1041) is then answered by w at 1050
    first, second = _spec("c0", 1040), _spec("c1", 1041)
    records = [_answered(first, "w", freed=1045.0), _answered(second, "w", waited=9.0)]
    result = reach(_scenario([first, second]), records)
    assert result.shares["none"] == 1.0
    assert result.forced_strangers == 1  # c0: answered by a stranger, necessarily
    assert result.forced_familiar == 0
