"""The script runner, end to end on the law firm's and the clinic's scripts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from script_examples import (
    CLINIC,
    DR_NGUYEN,
    DUPONT,
    MARTIN,
    TUESDAY_2PM,
    TUESDAY_9PM,
    example,
)

from accueil.core.availability import Availability, Delegation, Source, State
from accueil.core.scripts.build import build
from accueil.core.scripts.context import Caller, ScriptContext
from accueil.core.scripts.document import parse_layer
from accueil.core.scripts.model import ActionKind, Script, Situation, Urgency
from accueil.core.scripts.runner import greeting, run
from accueil.core.scripts.templates import TemplateFailed

CALLER = Caller("+33612345678")
LEROY = Caller("+33612345678", "Dupont SA — M. Leroy")
UNTIL_4PM = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _in_meeting(person: str = "dupont", delegate: bool = False) -> Availability:
    cover = Delegation("martin", "Sophie Martin", TUESDAY_2PM) if delegate else None
    return Availability(
        person, State.MEETING, Source.CALENDAR, TUESDAY_2PM, UNTIL_4PM, "Comité", delegate=cover
    )


def _available(person: str = "dupont") -> Availability:
    return Availability(person, State.AVAILABLE, Source.HOURS, TUESDAY_2PM)


def _office(availability: Availability | None = None, **kw: object) -> ScriptContext:
    return ScriptContext(
        MARTIN, TUESDAY_2PM, person=DUPONT, availability=availability, caller=CALLER, **kw
    )  # type: ignore[arg-type]


FIRST_ANSWERS = {"client": "oui", "nom": "Jean Leroy", "telephone": "06 12 34 56 78"}


def test_the_runner_stops_at_the_first_question_and_shows_it(law_firm: Script) -> None:
    state = run(law_firm, _office(), {})
    assert state.prompt is not None and state.prompt.step == "client"
    assert state.prompt.text == "Êtes-vous déjà client du cabinet ?"
    assert state.lines == () and not state.done
    assert state.script == "account:1"


def test_a_bad_answer_is_reported_and_the_question_is_asked_again(law_firm: Script) -> None:
    state = run(law_firm, _office(), {**FIRST_ANSWERS, "telephone": "06 12"})
    assert state.prompt is not None and state.prompt.step == "telephone"
    assert state.prompt.given == "06 12"
    assert [e.step for e in state.errors] == ["telephone"]
    assert "not a valid number" in state.errors[0].reason
    assert state.prompt.text == "À quel numéro Maître Dupont peut-il vous rappeler ?"


def test_urgent_and_available_patches_the_caller_through(law_firm: Script) -> None:
    answers = {**FIRST_ANSWERS, "dossier": "", "urgent": "oui"}
    state = run(law_firm, _office(_available()), answers)
    assert state.outcome is not None
    assert state.outcome.action is ActionKind.PATCH_THROUGH
    assert state.outcome.person == "dupont"
    assert state.outcome.note == "Je vous mets en relation avec Maître Dupont, ne quittez pas."
    assert state.lines[-1].text == "→ transferer (urgent = yes, available)"


def test_not_available_takes_an_urgent_message_with_every_answer(law_firm: Script) -> None:
    answers = {**FIRST_ANSWERS, "dossier": "2026-114", "urgent": "oui", "objet": "Audience"}
    state = run(law_firm, _office(_in_meeting(delegate=True)), answers)
    said = [line.text for line in state.lines if line.kind == "say"]
    assert said == ["Maître Dupont est en réunion jusqu'à 16:00. Je prends votre message."]
    outcome = state.outcome
    assert outcome is not None and outcome.action is ActionKind.TAKE_MESSAGE
    assert outcome.message.urgency is Urgency.URGENT
    assert outcome.message.for_person == "dupont"
    assert outcome.message.caller_number == "+33612345678"
    assert outcome.message.fields == (
        ("client", "Déjà client", "oui"),
        ("nom", "Nom", "Jean Leroy"),
        ("telephone", "Téléphone", "+33612345678"),
        ("dossier", "Référence du dossier", "2026-114"),
        ("urgent", "Urgent", "oui"),
        ("objet", "Objet", "Audience"),
    )
    assert outcome.note == "Votre message est transmis, et Sophie Martin est prévenue."


def test_a_new_client_in_office_hours_books_a_call_back_slot(law_firm: Script) -> None:
    answers = {**FIRST_ANSWERS, "client": "non", "dossier": "", "urgent": "non"}
    state = run(law_firm, _office(_in_meeting()), answers)
    assert state.prompt is not None and state.prompt.step == "rendez_vous"
    state = run(law_firm, _office(_in_meeting()), {**answers, "rendez_vous": "02/12/2026 10h00"})
    assert state.outcome is not None and state.outcome.action is ActionKind.BOOK_CALLBACK
    assert state.outcome.callback_at == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert state.outcome.note == "C'est noté, le cabinet vous rappelle le 2026-12-02 10:00."


def test_a_call_back_slot_in_the_past_is_asked_again(law_firm: Script) -> None:
    answers = {**FIRST_ANSWERS, "client": "non", "dossier": "", "urgent": "non"}
    state = run(law_firm, _office(_in_meeting()), {**answers, "rendez_vous": "01/12/2026 09h00"})
    assert state.outcome is None
    assert state.prompt is not None and state.prompt.step == "rendez_vous"
    assert state.prompt.given == "01/12/2026 09h00"
    assert "is already past" in state.errors[0].reason
    assert state.values is not None and "rendez_vous" not in state.values


def test_after_hours_an_urgent_call_goes_on_call_or_to_the_persons_own_choice(
    law_firm: Script, law_firm_dupont: Script
) -> None:
    answers = {**FIRST_ANSWERS, "dossier": "", "urgent": "oui"}
    night = ScriptContext(
        MARTIN, TUESDAY_9PM, Situation.AFTER_HOURS, DUPONT, availability=None, caller=CALLER
    )
    firm = run(law_firm, night, answers).outcome
    assert firm is not None and firm.action is ActionKind.DISPATCH_ON_CALL
    assert firm.rota == "permanence"
    own = run(law_firm_dupont, night, answers).outcome
    assert own is not None and own.action is ActionKind.TRANSFER and own.person == "martin"
    assert greeting(law_firm, night).text == (
        "Cabinet Martin, bonsoir. Le cabinet est fermé ; je prends votre message pour Maître "
        "Dupont."
    )


def test_the_greeting_follows_language_and_situation_with_the_pronunciation_hint(
    law_firm: Script,
) -> None:
    holiday = ScriptContext(MARTIN, TUESDAY_2PM, Situation.HOLIDAY, DUPONT)
    shown = greeting(law_firm, holiday)
    assert shown.situation is Situation.HOLIDAY
    assert shown.text.endswith("Le cabinet est fermé aujourd'hui ; je prends votre message.")
    assert shown.pronunciation == "du-PON"
    english = greeting(law_firm, ScriptContext(MARTIN, TUESDAY_2PM, person=DUPONT, language="en"))
    assert english.text == "Cabinet Martin, Maître Dupont's office, good afternoon."
    # no English holiday greeting: the English office-hours one is used
    english_holiday = ScriptContext(MARTIN, TUESDAY_2PM, Situation.HOLIDAY, language="en")
    assert greeting(law_firm, english_holiday).situation is Situation.OFFICE_HOURS
    # a language the script does not have: the account's language
    german = ScriptContext(MARTIN, TUESDAY_2PM, language="de")
    assert greeting(law_firm, german).language == "fr"


def test_the_switchboard_greeting_without_a_person(law_firm: Script) -> None:
    assert greeting(law_firm, ScriptContext(MARTIN, TUESDAY_2PM)).text == "Cabinet Martin, bonjour."


# The clinic


def _clinic(availability: Availability | None = None, person: bool = True) -> ScriptContext:
    return ScriptContext(
        CLINIC,
        TUESDAY_2PM,
        person=DR_NGUYEN if person else None,
        availability=availability,
        caller=LEROY,
    )


PATIENT = {
    "urgence_vitale": "non",
    "nom": "Lucie Martin",
    "naissance": "14/03/1985",
    "telephone": "+33 6 98 76 54 32",
    "email": "",
}


def test_a_vital_emergency_goes_straight_to_the_doctor_on_call(clinic: Script) -> None:
    state = run(clinic, _clinic(), {"urgence_vitale": "oui"})
    assert state.outcome is not None and state.outcome.action is ActionKind.DISPATCH_ON_CALL
    assert state.outcome.rota == "medecin-de-garde"
    assert [line.step for line in state.lines] == ["urgence_vitale", "tri"]


def test_an_appointment_request_books_a_slot(clinic: Script) -> None:
    answers = {**PATIENT, "motif": "Prendre rendez-vous", "creneau": "2026-12-03 09:30"}
    state = run(clinic, _clinic(), answers)
    assert state.outcome is not None and state.outcome.action is ActionKind.BOOK_CALLBACK
    assert state.values is not None and state.values["motif"] == "rdv"
    assert state.outcome.message.caller_name == "Dupont SA — M. Leroy"


@pytest.mark.parametrize(
    ("availability", "action"),
    [(_available("nguyen"), ActionKind.PATCH_THROUGH), (None, ActionKind.TAKE_MESSAGE)],
)
def test_results_go_to_the_doctor_when_available_else_a_message(
    clinic: Script, availability: Availability | None, action: ActionKind
) -> None:
    state = run(clinic, _clinic(availability), {**PATIENT, "motif": "resultats"})
    assert state.outcome is not None and state.outcome.action is action


def test_an_optional_email_can_be_skipped_but_a_wrong_one_is_refused(clinic: Script) -> None:
    skipped = run(clinic, _clinic(), {**PATIENT, "motif": "autre"})
    assert skipped.outcome is not None
    wrong = run(clinic, _clinic(), {**PATIENT, "motif": "autre", "email": "lucie@"})
    assert wrong.prompt is not None and wrong.prompt.step == "email"
    assert "not an email address" in wrong.errors[0].reason


def test_the_paediatrics_group_asks_for_the_parent(clinic: Script) -> None:
    script = build([example("clinique-du-parc.yaml"), example("clinique-du-parc.pediatrie.yaml")])
    state = run(script, _clinic(), {**PATIENT, "motif": "ordonnance"})
    assert state.prompt is not None and state.prompt.step == "parent"
    done = run(script, _clinic(), {**PATIENT, "motif": "ordonnance", "parent": "Paul Martin"})
    assert done.outcome is not None and done.outcome.action is ActionKind.TAKE_MESSAGE
    assert ("parent", "Parent", "Paul Martin") in done.outcome.message.fields


BRANCHES = """\
greetings: {fr: {office_hours: Bonjour}}
steps:
  - id: b
    branch:
      - when: {between: "12:00-14:00"}
        goto: midi
      - when: {known_caller: true}
        goto: connu
      - when: {state: [meeting, busy]}
        goto: reunion
    otherwise: autre
  - {id: midi, action: take_message, note: midi}
  - {id: connu, action: take_message, note: connu}
  - {id: reunion, action: take_message, note: réunion}
  - {id: autre, action: take_message, note: autre}
"""


@pytest.mark.parametrize(
    ("hour", "caller", "availability", "note"),
    [
        (11, CALLER, None, "midi"),  # 12:00 in Paris
        (13, LEROY, None, "connu"),  # 14:00: the window is over
        (13, CALLER, _in_meeting(), "réunion"),
        (13, CALLER, _available(), "autre"),
    ],
)
def test_branches_on_time_caller_and_availability(
    hour: int, caller: Caller, availability: Availability | None, note: str
) -> None:
    script = build([parse_layer(BRANCHES, "b.yaml")])
    now = datetime(2026, 12, 1, hour, 0, tzinfo=UTC)
    ctx = ScriptContext(MARTIN, now, person=DUPONT, availability=availability, caller=caller)
    outcome = run(script, ctx, {}).outcome
    assert outcome is not None and outcome.note == note


def test_a_value_that_makes_a_template_too_long_fails_clearly_rather_than_flooding() -> None:
    text = "greetings: {fr: {office_hours: '{{ caller.name }}{{ caller.name }}'}}\n"
    script = build([parse_layer(text + "steps: [{id: m, action: take_message}]\n", "s.yaml")])
    flood = ScriptContext(MARTIN, TUESDAY_2PM, caller=Caller("+33612345678", "x" * 1500))
    with pytest.raises(TemplateFailed, match="at most 2000"):
        greeting(script, flood)


ANSWER_POOL = {
    "urgence_vitale": ["oui", "non", "peut-être", ""],
    "motif": ["rdv", "resultats", "ordonnance", "autre", "Prendre rendez-vous", "x"],
    "nom": ["Lucie Martin", "", "x" * 1001],
    "naissance": ["14/03/1985", "hier", ""],
    "telephone": ["06 98 76 54 32", "12", ""],
    "email": ["", "lucie@example.fr", "lucie@"],
    "creneau": ["2026-12-03 09:30", "bientôt"],
}


@given(
    st.dictionaries(
        st.sampled_from(sorted(ANSWER_POOL)),
        st.sampled_from(sorted({v for vs in ANSWER_POOL.values() for v in vs})),
    ),
    st.booleans(),
)
def test_any_answers_give_either_one_question_or_one_outcome(
    answers: dict[str, str], available: bool
) -> None:
    script = build([example("clinique-du-parc.yaml", "account:1")])
    state = run(script, _clinic(_available("nguyen") if available else None), answers)
    assert (state.prompt is None) != (state.outcome is None)
    passed = [line.step for line in state.lines]
    assert len(passed) == len(set(passed))  # no step twice: a call always moves on
    if state.errors:
        assert state.prompt is not None and state.prompt.given == answers[state.prompt.step]
    if state.prompt is not None:
        assert state.prompt.step not in passed
    asked = [line for line in state.lines if line.kind == "ask"]
    assert state.values is not None and set(state.values) == {line.step for line in asked}
