"""Account → group → person: each layer overrides only the parts it names."""

from __future__ import annotations

import pytest
from script_examples import CLINIC, DUPONT, MARTIN, TUESDAY_2PM, example

from accueil.core.scripts.build import build
from accueil.core.scripts.context import ScriptContext
from accueil.core.scripts.document import parse_layer
from accueil.core.scripts.model import ActionKind, Script, Situation
from accueil.core.scripts.runner import greeting
from accueil.errors import ValidationFailed


def test_a_person_overrides_the_greeting_a_question_and_an_action_and_keeps_the_rest(
    law_firm: Script, law_firm_dupont: Script
) -> None:
    ctx = ScriptContext(MARTIN, TUESDAY_2PM, person=DUPONT)
    assert greeting(law_firm, ctx).text == "Cabinet Martin, bureau de Maître Dupont, bonjour."
    assert greeting(law_firm_dupont, ctx).text == (
        "Cabinet Martin, secrétariat de Maître Dupont, bonjour."
    )
    assert "audience ou un délai de procédure" in law_firm_dupont.step("urgent").text
    astreinte = law_firm_dupont.step("astreinte").action
    assert astreinte is not None and astreinte.kind is ActionKind.TRANSFER
    assert astreinte.person == "martin"
    # untouched parts are the firm's, in the firm's order
    assert [s.id for s in law_firm_dupont.steps] == [s.id for s in law_firm.steps]
    assert law_firm_dupont.step("nom") == law_firm.step("nom")
    assert (
        law_firm_dupont.greetings["fr"][Situation.AFTER_HOURS]
        == (law_firm.greetings["fr"][Situation.AFTER_HOURS])
    )
    assert law_firm_dupont.greetings["en"] == law_firm.greetings["en"]


def test_a_group_layer_sits_between_the_account_and_the_person() -> None:
    script = build(
        [
            example("clinique-du-parc.yaml", "account:4"),
            example("clinique-du-parc.pediatrie.yaml", "group:pediatrie:2"),
            parse_layer("start: motif\n", "p.yaml", label="person:lebon:1"),
        ]
    )
    assert script.ref == "account:4+group:pediatrie:2+person:lebon:1"
    assert script.start == "motif"  # the person's start wins over the account's
    assert script.step("naissance").text == "Quelle est la date de naissance de l'enfant ?"
    assert script.steps[-1].id == "parent"  # a new step is added at the end
    assert script.after(script.step("naissance")) == "parent"
    ctx = ScriptContext(CLINIC, TUESDAY_2PM)
    assert greeting(script, ctx).text == "Clinique du Parc, pédiatrie, bonjour."


def test_a_later_layer_can_use_the_questions_of_an_earlier_one() -> None:
    person = parse_layer(
        "steps:\n  - id: noter\n    action: take_message\n    note: Merci {{ answers.nom }}.\n",
        "p.yaml",
    )
    script = build([example("cabinet-martin.yaml"), person])
    assert script.step("noter").action is not None
    assert script.step("noter").action.note == "Merci {{ answers.nom }}."


def test_a_layer_that_breaks_the_merged_script_is_refused_naming_each_file() -> None:
    person = parse_layer("steps:\n  - id: urgent\n    say: Bonjour\n    next: ailleurs\n", "p.yaml")
    with pytest.raises(ValidationFailed) as caught:
        build([example("cabinet-martin.yaml"), person])
    assert [str(p) for p in caught.value.problems] == [
        "p.yaml:4 field 'steps[0].next': no step 'ailleurs'",
        "cabinet-martin.yaml:46 field 'steps[5].branch[0].when': "
        "'urgent' is not a question of this script",
        "cabinet-martin.yaml:48 field 'steps[5].branch[1].when': "
        "'urgent' is not a question of this script",
        "cabinet-martin.yaml:76 field 'steps[12]': 'urgent' must be a yesno question",
    ]
