"""A pop's script panel (greeting, walk to the first question) is made once for every call
that reads the same of it, and is then exactly the panel made for the call alone: the
script's templates and branches decide what "the same" is (caller, time, availability…)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from accueil.core.availability import Availability, Source, State
from accueil.core.decision import Decision
from accueil.core.directory import Account, Person
from accueil.core.hours import WeeklyHours
from accueil.core.opening import ClosedBecause, OfficeState
from accueil.core.rules import Scope
from accueil.core.screenpop import PopInputs, ScriptPanels, assemble
from accueil.core.scripts.build import build
from accueil.core.scripts.context import Caller
from accueil.core.scripts.document import Layer, parse_layer
from accueil.core.scripts.model import Script
from accueil.core.treatments import Answer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"

MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
ACCOUNT = Account(
    "martin", "Cabinet Martin", "Cabinet Martin",
    business_hours=WeeklyHours.parse("mon-fri 09:00-18:00"),
)  # fmt: skip
ENGLISH = Account("acme", "Acme", "Acme", languages=("en",))
DUPONT = Person("martin", "dupont", "Claire", "Dupont", pronunciation="du-PON", title="Maître")
LEROY = Person("martin", "leroy", "Paul", "Leroy", languages=("en",))
# every fact a branch tests
TRI = """  - id: tri
    branch:
      - when: {available: true}
        goto: dispo
      - when: {state: [meeting]}
        goto: reunion
      - when: {between: "09:00-10:00"}
        goto: matin
      - when: {known_caller: true}
        goto: connu
"""
# reads the caller and the minute, branches on everything a branch can test, and may end
# before any question (an outcome carries the caller)
NOSY = (
    """
name: nosy
greetings:
  fr:
    office_hours: >-
      {{ time.hour }}, {{ caller.number }} {% if caller.known %}{{ caller.name }}{% endif %}
    after_hours: "Fermé ({{ situation }}), {{ time.weekday }}"
steps:
  # the branches (TRI)
    otherwise: fin
  - id: dispo
    ask: "{{ person.name }} est là, {{ person.state }} ; votre nom ?"
    label: Nom
  - id: reunion
    ask: "En réunion jusqu'à {{ person.back_at }} ; votre nom ?"
    label: Nom
  - id: matin
    say: "Tôt : {{ time.hour }}"
  - id: connu
    ask: "Bonjour {{ caller.name }}, votre nom ?"
    label: Nom
  - id: fin
    action: take_message
    note: "{{ caller.number }}"
"""
).replace("  # the branches (TRI)\n", TRI)


def example(name: str, label: str) -> Layer:
    return parse_layer((EXAMPLES / name).read_text(encoding="utf-8"), name, label=label)


# branches on what its words do not read
BLIND = (
    """
name: blind
greetings:
  fr:
    office_hours: Bonjour.
steps:
  # the branches (TRI)
      - when: {situation: holiday}
        goto: connu
    otherwise: nom
  - id: dispo
    say: Disponible.
  - id: reunion
    say: En réunion.
  - id: matin
    say: Le matin.
  - id: connu
    say: Connu.
  - id: nom
    ask: Votre nom ?
    label: Nom
  - id: noter
    action: take_message
"""
).replace("  # the branches (TRI)\n", TRI)
SCRIPTS = [
    build([example("cabinet-martin.yaml", "account:1")]),
    build([example("clinique-du-parc.yaml", "account:1")]),
    build([parse_layer(NOSY, "nosy.yaml", label="account:1")]),
    build([parse_layer(BLIND, "blind.yaml", label="account:1")]),
]
PANELS = ScriptPanels()


@st.composite
def pops(draw: st.DrawFn) -> PopInputs:
    # few instants, so that calls meet again: 08:00, 09:00, 09:30, 09:59, 10:00 in Paris…
    minutes = draw(st.sampled_from([0, 60, 90, 119, 120, 600, 660, 1500, 2000]))
    now = MONDAY + timedelta(minutes=minutes)
    person = draw(st.sampled_from([None, DUPONT, LEROY]))
    state = draw(st.sampled_from([None, State.AVAILABLE, State.MEETING, State.AWAY]))
    found = None
    if person is not None and state is not None:
        until = now + timedelta(minutes=draw(st.sampled_from([30, 90])))
        found = Availability(person.key, state, Source.MANUAL, now, until=until)
    office = draw(
        st.sampled_from(
            [OfficeState(True), OfficeState(False, ClosedBecause.HOURS),
             OfficeState(False, ClosedBecause.HOLIDAY, "Noël")]
        )
    )  # fmt: skip
    caller = draw(st.sampled_from([Caller(""), Caller("+33612345678"), Caller("+33612345679"),
                                   Caller("+33612345678", "Dupont SA")]))  # fmt: skip
    decision = Decision(Answer(), "r", Scope.FALLBACK, "", availability=found)
    return PopInputs(
        draw(st.sampled_from([ACCOUNT, ENGLISH])), now, office, person=person,
        decision=decision, script=draw(st.sampled_from(SCRIPTS)), caller=caller,
    )  # fmt: skip


@settings(max_examples=400)
@given(pops())
def test_a_kept_panel_is_the_panel_made_for_the_call_alone(inputs: PopInputs) -> None:
    assert assemble(inputs, PANELS) == assemble(inputs)


def _at(script: Script, minutes: int, caller: Caller) -> PopInputs:
    return PopInputs(
        ACCOUNT, MONDAY + timedelta(hours=2, minutes=minutes), OfficeState(True), person=DUPONT,
        script=script, caller=caller,
    )  # fmt: skip


def test_calls_that_read_the_same_share_one_panel_and_a_new_script_makes_its_own() -> None:
    panels, martin = ScriptPanels(), SCRIPTS[0]
    for minute, number in [(0, "+33612345678"), (5, "+33698765432"), (50, "")]:
        assemble(_at(martin, minute, Caller(number)), panels)
    assert panels.made == 1  # the same morning, any caller: Martin's words read neither
    saved_again = build([example("cabinet-martin.yaml", "account:2")])
    assemble(_at(saved_again, 0, Caller("")), panels)
    assert panels.made == 2
    nosy = SCRIPTS[2]
    for number in ["+33612345678", "+33612345678", "+33698765432"]:
        assemble(_at(nosy, 0, Caller(number, "Dupont SA")), panels)
    assert panels.made == 4  # it reads the caller: one panel a caller
    for _ in range(2):  # an unknown caller: its walk ends before any question, with the caller
        assemble(_at(nosy, 0, Caller("+33612345678")), panels)
    assert panels.made == 6
