"""Rules are validated when saved: every problem with its path (and line), nothing eval'd."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rules_helpers import available, directory

from accueil.core.conditions import PREDICATES
from accueil.core.decision import Call, RuleChain, decide
from accueil.core.rules import (
    References,
    RulesDocument,
    check_references,
    load_text,
    parse_document,
    rules_schema,
)
from accueil.errors import ValidationFailed

BAD_FILE = """\
account: martin
person: claire
rules:
  - name: VIP → mobile
    when:
      all:
        - caller_in_list: VIP
        - hours: "mon-fri 18:00-09:00"
    then:
      type: connect
      devices:
        - device: mobile
          timeout: 500
  - name: odd
    when: {foo: 1}
    then: {type: reject, mode: nope}
  - name: typo
    then: {type: message, urgncy: high}
  - name: late
    when: {days: [mon, funday]}
    then: {type: answer}
"""


def _problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_document(load_text(text, "r.yaml"), "r.yaml", text)
    return [(p.line, p.field, p.reason) for p in caught.value.problems]


def test_every_problem_of_a_file_is_reported_with_its_path_and_line() -> None:
    found = _problems(BAD_FILE)
    fields = [(line, field) for line, field, _ in found]
    assert fields == [
        (8, "rules[0].when.all[1].hours"),
        (13, "rules[0].then.devices[0].timeout"),
        (15, "rules[1].when"),
        (16, "rules[1].then.mode"),
        (18, "rules[2].then.urgncy"),
        (20, "rules[3].when.days[1]"),
    ]
    reasons = [reason for _, _, reason in found]
    assert "ends before it starts" in reasons[0]
    assert "less than or equal to 120" in reasons[1]
    assert "exactly one of the keys" in reasons[2]
    assert reasons[4] == "unknown field (check its spelling)"


@pytest.mark.parametrize(
    ("hours", "why"),
    [
        ("mon-fri 25:00-26:00", "not a time of day"),
        ("fri-mon 09:00-10:00", "goes forward"),
        ("mon 09:00-12:00,11:00-13:00", "overlap"),
        ("someday 09:00-10:00", "days are written"),
        ("", "empty hours are never open"),
        ("   ", "empty hours are never open"),
    ],
)
def test_impossible_time_windows_are_refused(hours: str, why: str) -> None:
    text = json.dumps(
        {
            "account": "a",
            "rules": [{"name": "x", "when": {"hours": hours}, "then": {"type": "answer"}}],
        }
    )
    [(line, field, reason)] = _problems(text)
    assert field == "rules[0].when.hours" and why in reason and line == 1


def test_an_impossible_date_in_yaml_is_refused_with_its_path_not_a_crash() -> None:
    text = (
        "account: a\nrules:\n  - name: x\n"
        "    when: {dates: {from: 2026-02-30, to: 2026-03-01}}\n    then: {type: answer}\n"
    )
    [(line, field, reason)] = _problems(text)
    assert (line, field) == (4, "rules[0].when.dates.from") and "day value" in reason
    ok = load_text("when: {dates: {from: 2026-12-24, to: 2026-12-26}}")
    assert ok == {"when": {"dates": {"from": "2026-12-24", "to": "2026-12-26"}}}


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    when = {"dates": {"from": "2026-12-26", "to": "2026-12-24"}}
    text = json.dumps(
        {"account": "a", "rules": [{"name": "x", "when": when, "then": {"type": "answer"}}]}
    )
    [(_, field, reason)] = _problems(text)
    assert field == "rules[0].when.dates" and "ends (2026-12-24) before it starts" in reason


def test_missing_fields_name_the_field() -> None:
    [(_, field, reason)] = _problems('{"account": "a", "rules": [{"then": {"type": "answer"}}]}')
    assert (field, reason) == ("rules[0].name", "required field is missing")
    [(_, field, _)] = _problems(
        '{"account": "a", "rules": [{"name": "x", "then": {"type": "on_call"}}]}'
    )
    assert field == "rules[0].then.rota"
    [(_, field, reason)] = _problems("- account: a\n- rules: []\n")
    assert (field, reason) == (
        "(document)",
        "a rules document is a mapping with account, person or group, and rules",
    )


def test_duplicate_names_and_two_owners_are_refused() -> None:
    rule = {"name": "x", "then": {"type": "answer"}}
    [(_, _, reason)] = _problems(json.dumps({"account": "a", "rules": [rule, rule]}))
    assert "two rules are named 'x'" in reason
    [(_, _, reason)] = _problems('{"account": "a", "person": "p", "group": "g"}')
    assert "not both" in reason


def test_syntax_errors_give_the_line() -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_text("account: a\nrules: [\n  {name: x\n", "broken.yaml")
    [problem] = caught.value.problems
    assert problem.file == "broken.yaml" and problem.line is not None


def _document(rules: list[dict[str, Any]]) -> RulesDocument:
    return RulesDocument.model_validate({"account": "martin", "person": "claire", "rules": rules})


def test_references_to_unknown_devices_lists_and_rotas_are_refused_with_paths() -> None:
    document = _document(
        [
            {
                "name": "a",
                "when": {
                    "any": [{"caller_in_list": "VIP"}, {"not": {"caller_in_list": "famille"}}]
                },
                "then": {
                    "type": "connect",
                    "devices": [{"device": "mobile"}, {"device": "car"}],
                    "no_answer": {"type": "on_call", "rota": "weekend"},
                },
            }
        ]
    )
    refs = References(frozenset({"VIP"}), frozenset({"nights"}), frozenset({"mobile", "desk"}))
    problems = check_references(document.rules, refs, "r.yaml")
    assert [(p.field, p.reason) for p in problems] == [
        ("rules[0].when.any[1].not.caller_in_list", "no caller list 'famille' (lists: VIP)"),
        ("rules[0].then.devices[1].device", "no device 'car' (desk, mobile)"),
        ("rules[0].then.no_answer.rota", "no on-call rota 'weekend' (rotas: nights)"),
    ]


def test_the_json_schema_is_published_with_every_predicate_and_treatment() -> None:
    schema = json.dumps(rules_schema())
    for predicate in PREDICATES:
        assert f'"{predicate}"' in schema
    for treatment in ("connect", "answer", "message", "on_call", "reject"):
        assert f'"const": "{treatment}"' in schema


def test_tenant_text_is_data_never_code() -> None:
    sneaky = "__import__('os').system('touch /tmp/pwned')"
    text = json.dumps(
        {
            "account": "martin",
            "rules": [
                {
                    "name": sneaky,
                    "when": {"caller_in_list": sneaky},
                    "then": {"type": "reject", "say": sneaky},
                }
            ],
        }
    )
    document = parse_document(json.loads(text))
    decision = decide(
        Call(sneaky, "+33140000001"),
        directory(),
        available(),
        RuleChain(person=tuple(document.rules)),
        available().as_of,
    )
    assert decision.rule == "fallback"  # an unknown list matches nobody; nothing ran
    with pytest.raises(ValidationFailed):
        parse_document(
            {
                "account": "a",
                "rules": [{"name": "x", "when": {"hours": sneaky}, "then": {"type": "answer"}}],
            }
        )


def test_the_published_schema_in_docs_is_up_to_date() -> None:
    published = Path(__file__).parents[2] / "docs" / "rules.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == rules_schema(), (
        "regenerate it: accueil rules schema > docs/rules.schema.json"
    )
