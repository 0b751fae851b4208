"""A script is refused at save time, with file, line and field, when anything is wrong."""

from __future__ import annotations

import json
import textwrap
from typing import Literal

import pytest

from accueil.core.scripts.build import Known, build
from accueil.core.scripts.document import parse_layer
from accueil.errors import ValidationFailed

GOOD = """\
greetings:
  fr:
    office_hours: "{{ account.answer_name }}, bonjour."
steps:
  - id: nom
    ask: Votre nom ?
  - id: noter
    action: take_message
"""


def _refused(text: str, known: Known = Known()) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        build([parse_layer(textwrap.dedent(text), "s.yaml")], known)
    return [str(p) for p in caught.value.problems]


def test_a_good_script_builds() -> None:
    script = build([parse_layer(GOOD, "s.yaml")])
    assert [s.id for s in script.steps] == ["nom", "noter"]
    assert script.start == "nom"


def test_json_is_accepted_as_well_as_yaml() -> None:
    doc = {
        "greetings": {"en": {"office_hours": "{{ account.answer_name }}, hello."}},
        "steps": [{"id": "noter", "action": "take_message"}],
    }
    script = build([parse_layer(json.dumps(doc, indent=2), "s.json", fmt="json")])
    assert script.greetings["en"]


def test_an_unknown_variable_is_refused_with_its_line_and_column_in_the_file() -> None:
    problems = _refused(
        """\
        greetings:
          fr:
            office_hours: "{{ account.answer_name }}, bonjour."
        steps:
          - id: nom
            ask: |
              Bonjour,
              puis-je parler à {{ person.nmae }} ?
          - id: noter
            action: take_message
        """
    )
    assert problems == [
        "s.yaml:8 field 'steps[0].ask': line 8, column 27: unknown variable 'person.nmae' "
        "(known: person.first_name, person.last_name, person.name, person.title, "
        "person.pronunciation, person.group, person.availability, person.state, "
        "person.back_at, person.delegate)"
    ]


def test_a_liquid_syntax_error_is_refused_with_its_position() -> None:
    problems = _refused(GOOD.replace('"{{ account.answer_name }}', '"{{ account.answer_name '))
    assert len(problems) == 1
    assert problems[0].startswith("s.yaml:3 field 'greetings.fr.office_hours': line 3, column")
    assert "syntax error" in problems[0]


def test_an_unclosed_tag_is_refused() -> None:
    problems = _refused(GOOD.replace("Votre nom ?", "'{% if caller.known %}Votre nom ?'"))
    assert "syntax error: expected tag endif" in problems[0]


def test_unknown_filters_include_and_answers_to_no_question_are_refused() -> None:
    problems = _refused(
        GOOD.replace("Votre nom ?", "'{{ caller.name | shout }}{% include \"x\" %}'").replace(
            "take_message", "take_message\n    note: '{{ answers.nom }} {{ answers.age }}'"
        )
    )
    reasons = " | ".join(problems)
    assert "unknown filter 'shout'" in reasons
    assert "the 'include' tag is not allowed" in reasons
    assert "unknown variable 'answers.age' (known: answers.nom)" in reasons
    assert "answers.nom'" not in reasons


def test_python_attribute_access_is_not_a_variable() -> None:
    problems = _refused(GOOD.replace("Votre nom ?", "'{{ person.__class__ }}'"))
    assert "unknown variable 'person.__class__'" in problems[0]


def test_output_and_loops_are_bounded_and_checked_at_save_time() -> None:
    loop = "'{% for i in (1..60) %}{% for j in (1..60) %}x{% endfor %}{% endfor %}'"
    assert "loop iteration limit" in _refused(GOOD.replace("Votre nom ?", loop))[0]
    big = "'{% for i in (1..90) %}{{ person.name }} {{ person.name }} {% endfor %}'"
    assert "characters (at most 2000)" in _refused(GOOD.replace("Votre nom ?", big))[0]


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in (1..100000) %}x{% endfor %}",
        "{{ (1..10000000) | join: ',' | size }}",  # no loop: the loop limit would not count it
        "{% if (1..30000000) contains 'x' %}x{% endif %}",
        "{% assign n = 5 %}{% for i in (1..n) %}x{% endfor %}",
    ],
)
def test_a_range_is_two_numbers_at_most_a_hundred_apart(template: str) -> None:
    problems = _refused(GOOD.replace("Votre nom ?", json.dumps(f"Nom ? {template}")))
    assert len(problems) == 1
    assert problems[0].startswith("s.yaml:6 field 'steps[0].ask': line 6, column ")
    assert "a range is written with two numbers, at most 100 apart" in problems[0]


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        # each replace multiplies the length: 6 of them would build hundreds of megabytes
        ("{{ 'ab'" + " | replace: '', 'xxxxxxxxxxxxxxxxxxxx'" * 6 + " | size }}", "a text past"),
        ("{{ 'a,' | append: 'b,' | split: ',' | size }}{{ 9 | times: 10 }}", ""),
        ("{{ 99999999" + " | times: 99999999" * 300 + " }}", "a number past"),
        ("{{ person.name | split: ' ' | sum }}", "a filter could not compute its value"),
        ("{{ '' | compact: -1 }}", "a filter could not compute its value (IndexError)"),
        ("{{ 'now' | date: '%H:%M' }}", "'date' of 'now': write {{ time.hour }}"),  # no clock
        ("{{ time.date | date: '%d/%m' }}", ""),
    ],
)
def test_values_made_by_filters_are_bounded(template: str, reason: str) -> None:
    text = GOOD.replace("Votre nom ?", json.dumps(f"Nom ? {template}"))
    if not reason:
        assert build([parse_layer(text, "s.yaml")]).step("nom").text
        return
    problems = _refused(text)
    assert problems[0].startswith("s.yaml:6 field 'steps[0].ask': the template ")
    assert reason in problems[0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("    ask: Votre nom ?", "    ask: Votre nom ?\n    say: Bonjour"), "exactly one of"),
        (("  - id: nom", "  - id: Nom"), "a step id is lower case"),
        (("    ask: Votre nom ?", "    ask: Votre nom ?\n    colour: red"), "unknown key 'colour'"),
        (("    ask: Votre nom ?", "    ask: Nom ?\n    type: choice"), "lists its 'choices'"),
        (("    ask: Votre nom ?", "    ask: Nom ?\n    type: number"), "Input should be"),
        (("    action: take_message", "    action: transfer"), "'transfer' needs 'to'"),
        (("    action: take_message", "    action: take_message\n    next: nom"), "does not take"),
    ],
)
def test_structure_problems_name_the_line_and_field(change: tuple[str, str], reason: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_layer(GOOD.replace(*change), "s.yaml")
    problem = caught.value.problems[0]
    assert reason in problem.reason
    assert problem.file == "s.yaml"
    assert problem.line is not None and problem.field is not None
    assert problem.field.startswith("steps[")


def test_invalid_yaml_names_its_line() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_layer("steps:\n  - id: a\n   say: [", "s.yaml")
    assert caught.value.problems[0].line == 3


def test_a_step_that_leads_nowhere_or_to_no_step_is_refused() -> None:
    problems = _refused(
        """\
        greetings: {fr: {office_hours: Bonjour}}
        steps:
          - id: a
            say: Bonjour
            next: b
          - id: c
            branch:
              - when: {available: true}
                goto: d
            otherwise: a
          - id: e
            say: Au revoir
        """
    )
    joined = " | ".join(problems)
    assert "field 'steps[0].next': no step 'b'" in joined
    assert "field 'steps[1].branch[0].goto': no step 'd'" in joined
    assert "field 'steps[2]': leads nowhere" in joined


def test_loops_are_refused_because_a_call_must_end() -> None:
    problems = _refused(
        """\
        greetings: {fr: {office_hours: Bonjour}}
        steps:
          - id: a
            ask: Nom ?
          - id: b
            branch:
              - when: {answer: a, is_set: false}
                goto: a
            otherwise: c
          - id: c
            action: take_message
        """
    )
    assert "the steps loop (a → b → a)" in problems[0]


def test_conditions_must_name_questions_and_their_choices() -> None:
    problems = _refused(
        """\
        greetings: {fr: {office_hours: Bonjour}}
        steps:
          - id: motif
            ask: Motif ?
            type: choice
            choices: [rdv, autre]
          - id: urgent
            ask: Urgent ?
            type: yesno
          - id: b
            branch:
              - when: {answer: motif, equals: ordonnance}
                goto: m
              - when: {answer: nope, is_set: true}
                goto: m
              - when: {answer: urgent, equals: "peut-être"}
                goto: m
            otherwise: m
          - id: m
            action: book_callback
            slot: motif
        """
    )
    joined = " | ".join(problems)
    assert "['ordonnance'] not among the choices of 'motif'" in joined
    assert "'nope' is not a question of this script" in joined
    assert "a yes/no answer is compared with true or false" in joined
    assert "'motif' must be a datetime question" in joined


def test_transfer_targets_are_checked_against_the_directory_when_known() -> None:
    text = GOOD.replace("take_message", "transfer\n    to: {person: ghost}")
    assert build([parse_layer(text, "s.yaml")]).steps[-1].action is not None
    problems = _refused(text, Known(people={"dupont"}, groups=set()))
    assert "no person 'ghost' in this account" in problems[0]


def test_a_script_without_steps_or_office_hours_greeting_is_refused() -> None:
    problems = _refused("greetings: {fr: {after_hours: Bonsoir}}\n")
    assert any("no steps" in p for p in problems)
    assert any("no office_hours greeting" in p for p in problems)


def test_a_time_window_must_be_a_real_one() -> None:
    text = GOOD.replace(
        "  - id: noter",
        "  - id: b\n    branch:\n      - when: {between: '14:00-12:00'}\n        goto: noter\n"
        "  - id: noter",
    )
    with pytest.raises(ValidationFailed, match="1 problem") as caught:
        parse_layer(text, "s.yaml")
    assert "the end comes before the start" in caught.value.problems[0].reason


def test_answers_in_a_script_that_asks_nothing_are_refused_plainly() -> None:
    text = GOOD.replace("  - id: nom\n    ask: Votre nom ?\n", "").replace(
        "take_message", "take_message\n    note: '{{ answers.nom }}'"
    )
    problems = _refused(text)
    assert problems == [
        "s.yaml:7 field 'steps[0].note': line 7, column 15: unknown variable 'answers.nom' "
        "(this script asks no question)"
    ]


def test_a_yaml_alias_bomb_is_refused_before_it_expands() -> None:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcde", "bcdef", strict=True):
        levels.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]")  # 9**6 values
    text = "\n".join([*levels, "steps: *f", ""])
    with pytest.raises(ValidationFailed) as caught:
        parse_layer(text, "bomb.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "bomb.yaml:5: the aliases of this file expand to too many values (an alias bomb?): "
        "write the entries out instead"
    ]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_script_nested_too_deeply_is_refused_not_crashed(fmt: Literal["yaml", "json"]) -> None:
    with pytest.raises(ValidationFailed, match="nested too deeply"):
        parse_layer("[" * 1500 + "]" * 1500, "deep", fmt=fmt)


def test_an_availability_state_with_a_typo_is_refused_rather_than_never_matching() -> None:
    text = GOOD.replace(
        "  - id: noter\n",
        "  - id: dispo\n    branch:\n      - when: {state: [meetting]}\n        goto: noter\n"
        "  - id: noter\n",
    )
    with pytest.raises(ValidationFailed) as caught:
        parse_layer(text, "s.yaml")
    problem = caught.value.problems[0]
    assert (problem.line, problem.field) == (9, "steps[1].branch[0].when.state[0]")
    assert "'meeting'" in problem.reason and "'out_of_office'" in problem.reason
    meeting = build([parse_layer(text.replace("meetting", "meeting"), "s.yaml")])
    assert meeting.step("dispo").cases[0].when.states == ("meeting",)
