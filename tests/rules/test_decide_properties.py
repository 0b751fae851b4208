"""Whatever valid rules a tenant writes, a decision comes back with an explanation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rules_helpers import DIALLED, directory, rule

from accueil.core.availability import Availability, Source, State
from accueil.core.decision import Call, RuleChain, decide
from accueil.core.rules import Scope

leaf = st.one_of(
    st.builds(lambda k: {"caller_in_list": k}, st.sampled_from(["VIP", "blocked", "gone"])),
    st.builds(lambda b: {"caller_known": b}, st.booleans()),
    st.builds(lambda b: {"personal_vip": b}, st.booleans()),
    st.builds(lambda b: {"caller_withheld": b}, st.booleans()),
    st.builds(lambda s: {"availability": s}, st.lists(st.sampled_from(list(State)), min_size=1)),
    st.builds(lambda d: {"days": d}, st.lists(st.sampled_from(["mon", "sat", "sun"]), min_size=1)),
    st.builds(lambda h: {"hours": h}, st.sampled_from(["mon-fri 09:00-12:00", "sat 00:00-24:00"])),
    st.builds(lambda b: {"holiday": b}, st.booleans()),
    st.builds(lambda b: {"account_open": b}, st.booleans()),
    st.just({"dialled": [DIALLED]}),
    st.just({"dates": {"from": "2026-06-01", "to": "2026-08-31"}}),
)
conditions = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=8,
)
treatments = st.sampled_from(
    [
        {"type": "answer"},
        {"type": "message", "urgency": "urgent"},
        {"type": "reject", "mode": "busy"},
        {"type": "on_call", "rota": "nights"},
        {"type": "on_call", "rota": "gone"},
        {"type": "connect", "devices": [{"device": "mobile"}, {"device": "car"}]},
        {"type": "connect", "devices": [{"device": "car"}]},
    ]
)
rules = st.lists(st.tuples(st.one_of(st.none(), conditions), treatments), max_size=6)
callers = st.sampled_from(["+33612345678", "0612345678", "", "anonymous", "+44 20 7946 0958", "42"])
instants = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    rules,
    callers,
    instants,
    st.sampled_from(list(State)),
    st.booleans(),
    st.sampled_from(["en", "fr"]),
)
def test_any_valid_rules_give_a_decision_and_a_sentence(
    raw: list[tuple[dict[str, Any] | None, dict[str, Any]]],
    caller: str,
    now: datetime,
    state: State,
    switchboard: bool,
    lang: str,
) -> None:
    chain = RuleChain(person=tuple(rule(f"r{i}", then, when) for i, (when, then) in enumerate(raw)))
    availability = Availability("claire", state, Source.MANUAL, now, now + timedelta(hours=1))
    d = directory(person=None) if switchboard else directory()
    decision = decide(
        Call(caller, DIALLED), d, None if switchboard else availability, chain, now, lang=lang
    )
    assert decision.explanation
    assert all(t.note or t.matched or not t.conditions for t in decision.trace)
    if decision.scope is Scope.FALLBACK:
        assert decision.treatment.type == "answer"
    else:
        assert decision.trace[-1].matched and decision.trace[-1].rule == decision.rule
    if decision.treatment.type == "connect":
        assert decision.targets and all(t.device == "mobile" for t in decision.targets)
    if decision.treatment.type == "on_call":
        assert decision.contacts
