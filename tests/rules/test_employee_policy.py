"""The account's employee policy checked against a person's own rules: each rule path that
goes beyond it, with the policy item (pure)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from accueil.core.employee_policy import EmployeePolicy, greeting_refused, outside, read_policy
from accueil.core.rules import Rule
from accueil.errors import ValidationFailed

RULES: TypeAdapter[list[Rule]] = TypeAdapter(list[Rule])
KINDS = {"mobile": "mobile", "desk": "desk"}


def _rule(name: str, then: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "then": then}


def _ring(*devices: tuple[str, int], **more: Any) -> dict[str, Any]:
    rings = [{"device": d, "timeout": t} for d, t in devices]
    return {"type": "connect", "devices": rings, **more}


def _outside(policy: dict[str, Any], *rules: dict[str, Any]) -> list[tuple[str, str]]:
    found = outside(RULES.validate_python(list(rules)), read_policy(policy), KINDS)
    return [(p.field or "", p.extra["policy"]) for p in found]


def test_the_default_policy_allows_everything() -> None:
    rules = [
        _rule("a", _ring(("mobile", 120), ("desk", 120))),
        _rule("b", {"type": "reject"}),
        _rule("c", {"type": "on_call", "rota": "x"}),
    ]
    assert _outside({}, *rules) == []
    assert greeting_refused(EmployeePolicy()) == []


def test_no_mobile_names_the_ring_of_the_mobile() -> None:
    rules = [_rule("desk", _ring(("desk", 20))), _rule("vip", _ring(("desk", 10), ("mobile", 20)))]
    assert _outside({"mobile": False}, *rules) == [("rules[1].then.devices[1].device", "mobile")]


def test_the_ring_time_counts_in_all_one_after_the_other_or_the_longest_together() -> None:
    policy = {"max_ring_seconds": 30}
    assert _outside(policy, _rule("a", _ring(("desk", 20), ("mobile", 20)))) == [
        ("rules[0].then.devices", "max_ring_seconds")
    ]
    assert _outside(policy, _rule("a", _ring(("desk", 20), ("mobile", 20), ring="together"))) == []
    said = outside(
        RULES.validate_python([_rule("a", _ring(("desk", 45)))]), read_policy(policy), KINDS
    )
    assert said[0].reason == (
        "rings 45 s in all (one after the other); the account's policy allows at most 30 s"
    )


def test_treatments_and_blocking_are_checked_down_the_fallbacks() -> None:
    policy = {"treatments": ["connect", "message"], "block": False}
    rules = [
        _rule("ok", _ring(("desk", 20), no_answer={"type": "message"})),
        _rule("pool", _ring(("desk", 20))),  # no answer: the pool answers, by default
        _rule("block", {"type": "reject", "mode": "busy"}),
        _rule("rota", {"type": "on_call", "rota": "x", "no_answer": {"type": "reject"}}),
    ]
    assert _outside(policy, *rules) == [
        ("rules[1].then.no_answer", "treatments"),
        ("rules[2].then", "block"),
        ("rules[3].then", "treatments"),
        ("rules[3].then.no_answer", "block"),
    ]


def test_a_greeting_refused_and_a_bad_policy_named_by_field() -> None:
    assert [p.extra["policy"] for p in greeting_refused(EmployeePolicy(greeting=False))] == [
        "greeting"
    ]
    with pytest.raises(ValidationFailed) as caught:
        read_policy({"treatments": ["teleport"], "max_ring_seconds": 1, "colour": "red"})
    assert sorted(p.field or "" for p in caught.value.problems) == [
        "colour",
        "max_ring_seconds",
        "treatments[0]",
    ]
