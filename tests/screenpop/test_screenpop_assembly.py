"""Assembling a screen pop from data already in memory (the pure part)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from accueil.core.availability import Availability, Source, State
from accueil.core.decision import Decision
from accueil.core.directory import Account, Person
from accueil.core.hours import WeeklyHours
from accueil.core.opening import ClosedBecause, OfficeState
from accueil.core.rules import Scope
from accueil.core.screenpop import PopInputs, assemble
from accueil.core.treatments import Answer

NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
ACCOUNT = Account(
    "martin",
    "Cabinet Martin",
    "Cabinet Martin",
    business_hours=WeeklyHours.parse("mon-fri 09:00-18:00"),
)
DUPONT = Person("martin", "dupont", "Claire", "Dupont", pronunciation="du-PON")


def test_a_stale_status_is_shown_with_its_age() -> None:
    stale = Availability("dupont", State.AWAY, Source.MANUAL, NOW - timedelta(hours=14), stale=True)
    decision = Decision(Answer(), "fallback", Scope.FALLBACK, "no rule matched", availability=stale)
    office = OfficeState(True)
    pop = assemble(PopInputs(ACCOUNT, NOW, office, person=DUPONT, decision=decision, language="en"))
    assert pop.person is not None
    assert pop.person.stale == "stale: set 14 h ago"
    assert pop.person.state == "away"
    assert pop.script.problem == "no script saved for this account"
    french = assemble(PopInputs(ACCOUNT, NOW, office, DUPONT, decision=decision, language="fr"))
    assert french.person is not None and french.person.stale == "ancien : indiqué il y a 14 h"


def test_hours_read_in_french_for_a_french_desk_days_included() -> None:
    closed = OfficeState(False, ClosedBecause.HOURS, "", NOW + timedelta(hours=20))
    pop = assemble(PopInputs(ACCOUNT, NOW, closed, language="fr"))
    assert pop.account.hours_now == "fermé, ouvre mer. 10:00"
    english = assemble(PopInputs(ACCOUNT, NOW, closed, language="en"))
    assert english.account.hours_now == "closed, opens Wed 10:00"
    assert pop.person is None and pop.treatment == ""
