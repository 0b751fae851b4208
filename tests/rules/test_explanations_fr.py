"""Explanations an agent reads in French: days, months, urgency, holidays in French words."""

from __future__ import annotations

from dataclasses import replace

from rules_helpers import DIALLED, MONDAY_10, available, directory, meeting, paris, rule

from accueil.core.availability import Availability, Source, State
from accueil.core.decision import Call, RuleChain, decide

OTHER = Call("+33 1 45 00 00 00", DIALLED)


def test_until_another_day_is_said_with_french_day_and_month_names() -> None:
    back_monday = meeting(until=paris(2026, 12, 7, 9), note="Congés")
    soon = decide(OTHER, directory(), back_monday, RuleChain(), paris(2026, 12, 3, 10), lang="fr")
    assert "jusqu'à lun. 09:00" in soon.explanation
    far = decide(OTHER, directory(), back_monday, RuleChain(), MONDAY_10, lang="fr")
    assert "jusqu'à 7 déc. 09:00" in far.explanation
    assert "Mon" not in soon.explanation and "Dec" not in far.explanation


def test_time_windows_urgency_script_and_priority_are_in_french() -> None:
    lunch = rule(
        "déjeuner",
        {"type": "message", "urgency": "low"},
        {"hours": "mon-fri 09:00-11:00"},
    )
    pool = rule("pool", {"type": "answer", "script": "s-1", "priority": 2})
    said = decide(OTHER, directory(), available(), RuleChain(person=(lunch,)), MONDAY_10, lang="fr")
    assert "lun. 10:00 est dans mon-fri 09:00-11:00" in said.explanation
    assert said.explanation.endswith("prendre un message (pas urgent, par email)")
    answer = decide(
        OTHER, directory(), available(), RuleChain(person=(pool,)), MONDAY_10, lang="fr"
    )
    assert answer.explanation.endswith("le pool répond (script s-1, priorité +2)")
    english = decide(OTHER, directory(), available(), RuleChain(person=(lunch,)), MONDAY_10)
    assert english.explanation.endswith("take a message (not urgent, by email)")


def test_a_holiday_is_named_in_the_explanations_language() -> None:
    # Good Friday 2027 in Moselle (the helpers' account is in subdivision 57)
    good_friday = paris(2027, 3, 26, 10)
    off = Availability("claire", State.OFF_DUTY, Source.HOLIDAY, good_friday, None, "Good Friday")
    closed = rule("fermé", {"type": "message"}, {"account_open": False})
    holiday = rule("férié", {"type": "message"}, {"holiday": True})
    fr = decide(OTHER, directory(), off, RuleChain(person=(closed,)), good_friday, lang="fr")
    assert "Cabinet Martin est fermé (Vendredi saint)" in fr.explanation
    assert "jour férié : 'Vendredi saint'" in fr.explanation
    fr = decide(OTHER, directory(), off, RuleChain(person=(holiday,)), good_friday, lang="fr")
    assert "aujourd'hui est férié (Vendredi saint)" in fr.explanation
    en = decide(OTHER, directory(), off, RuleChain(person=(closed,)), good_friday)
    assert "Cabinet Martin is closed (Good Friday)" in en.explanation
    assert "public holiday: 'Good Friday'" in en.explanation


def test_stale_ages_use_french_units() -> None:
    stale = replace(meeting(), stale=True, as_of=MONDAY_10.replace(day=27))
    fr = decide(OTHER, directory(), stale, RuleChain(), MONDAY_10, lang="fr")
    assert "ancien : agenda lu il y a 3 j" in fr.explanation
