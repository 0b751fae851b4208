"""Every predicate, true and false, with the reason it gives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from pydantic import TypeAdapter
from rules_helpers import DIALLED, MONDAY_10, VIP_CALLER, available, directory, meeting, paris

from accueil.core.availability import Availability
from accueil.core.callers import CallerList, ListEntry, normalise_caller
from accueil.core.conditions import Condition
from accueil.core.explain import EN
from accueil.core.facts import Facts, evaluate
from accueil.core.opening import Closure

CONDITION: TypeAdapter[Condition] = TypeAdapter(Condition)


def _value(
    when: dict[str, Any],
    *,
    caller: str = VIP_CALLER,
    now: datetime = MONDAY_10,
    availability: Availability | None = None,
    closures: tuple[Closure, ...] = (),
    person: bool = True,
    vip: CallerList | None = None,
) -> tuple[bool, str]:
    d = directory(closures=closures) if person else directory(person=None)
    facts = Facts(
        caller=caller,
        dialled=DIALLED,
        account=d.account,
        person=d.person,
        availability=availability if availability is not None or not person else available(),
        lists=d.lists,
        contacts=d.contacts,
        vip=vip,
        closures=d.closures,
        now=now,
        phrases=EN,
    )
    value, reasons = evaluate(CONDITION.validate_python(when), facts)
    return value, "; ".join(r.reason for r in reasons)


def test_caller_in_list_by_exact_number_and_by_prefix() -> None:
    assert _value({"caller_in_list": "VIP"}) == (
        True,
        "+33 6 12 34 56 78 is in list 'VIP' (Le président)",
    )
    assert _value({"caller_in_list": "VIP"}, caller="+44 20 7946 0958")[0]
    assert _value({"caller_in_list": "VIP"}, caller="06 12 34 56 78")[0]  # national form
    assert _value({"caller_in_list": "VIP"}, caller="+33 1 40 00 00 00") == (
        False,
        "+33 1 40 00 00 00 is not in list 'VIP'",
    )


def test_a_withheld_caller_is_in_no_list_and_is_withheld() -> None:
    assert _value({"caller_in_list": "VIP"}, caller="anonymous")[0] is False
    assert _value({"caller_withheld": True}, caller="") == (True, "the caller's number is withheld")
    assert _value({"caller_withheld": True})[0] is False
    assert _value({"caller_withheld": False})[0] is True


def test_personal_vip_reads_the_called_persons_own_list() -> None:
    mum = CallerList.of("vip", [ListEntry("+33612345678", "Maman")])
    assert _value({"personal_vip": True}, vip=mum) == (
        True,
        "+33 6 12 34 56 78 is on Claire's own VIP list (Maman)",
    )
    assert _value({"personal_vip": True}, caller="+33 1 40 00 00 00", vip=mum) == (
        False,
        "+33 1 40 00 00 00 is not on Claire's own VIP list",
    )
    assert _value({"personal_vip": False}, caller="anonymous", vip=mum)[0] is True
    assert _value({"personal_vip": True})[0] is False  # no list of her own yet
    assert _value({"personal_vip": True}, person=False, vip=mum)[0] is False


def test_caller_known_as_a_contact_of_the_account() -> None:
    assert _value({"caller_known": True}, caller="01 40 00 00 99") == (
        True,
        "+33 1 40 00 00 99 is a known contact (Dupont SA — M. Leroy)",
    )
    assert _value({"caller_known": True})[0] is False
    assert _value({"caller_known": False})[0] is True


def test_availability_state() -> None:
    assert _value({"availability": ["meeting", "busy"]}, availability=meeting()) == (
        True,
        "Claire is in a meeting",
    )
    assert _value({"availability": ["meeting"]})[0] is False
    assert _value({"availability": ["available"]}, person=False) == (
        False,
        "the call is for the switchboard, not a person",
    )


def test_days_and_hours_are_read_on_the_accounts_wall_clock() -> None:
    assert _value({"days": ["mon"]}) == (True, "today is Monday")
    assert _value({"days": ["sat", "sun"]})[0] is False
    late_sunday_utc = paris(2026, 11, 29, 23, 30)  # Sunday in Paris, Sunday 22:30 UTC too
    assert _value({"days": ["sun"]}, now=late_sunday_utc)[0]
    after_midnight = paris(2026, 12, 1, 0, 30)  # Monday 23:30 UTC, Tuesday in Paris
    assert _value({"days": ["tue"]}, now=after_midnight)[0]
    assert _value({"hours": "mon-fri 09:00-12:00"}) == (
        True,
        "Mon 10:00 is within mon-fri 09:00-12:00",
    )
    assert _value({"hours": "mon-fri 12:00-14:00"})[0] is False


def test_public_holiday_of_the_accounts_subdivision() -> None:
    good_friday = paris(2026, 4, 3, 10)  # the account is in Moselle (57)
    assert _value({"holiday": True}, now=good_friday) == (
        True,
        "today is a public holiday (Good Friday)",
    )
    assert _value({"holiday": True})[0] is False
    assert _value({"holiday": False})[0] is True


def test_account_open_or_closed() -> None:
    assert _value({"account_open": True}) == (True, "Cabinet Martin is open")
    evening = paris(2026, 11, 30, 19)
    assert _value({"account_open": False}, now=evening) == (
        True,
        "Cabinet Martin is closed (outside business hours)",
    )
    seminar = Closure(paris(2026, 11, 30, 8), paris(2026, 11, 30, 20), "séminaire")
    assert _value({"account_open": True}, closures=(seminar,)) == (
        False,
        "Cabinet Martin is closed (séminaire)",
    )


def test_date_periods_are_read_on_the_accounts_calendar() -> None:
    christmas = {"dates": {"from": "2026-12-24", "to": "2026-12-26"}}
    assert _value(christmas, now=paris(2026, 12, 26, 23, 30)) == (
        True,
        "2026-12-26 is within 2026-12-24 – 2026-12-26",
    )
    assert _value(christmas, now=paris(2026, 12, 27, 0, 30))[0] is False  # 23:30 UTC, 27th in Paris
    assert _value(christmas)[0] is False


def test_dialled_number() -> None:
    assert _value({"dialled": ["+33 1 40 00 00 01"]}) == (True, "+33 1 40 00 00 01 was dialled")
    assert _value({"dialled": ["+33 1 40 00 00 02"]})[0] is False


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({"all": [{"caller_in_list": "VIP"}, {"days": ["mon"]}]}, True),
        ({"all": [{"caller_in_list": "VIP"}, {"days": ["sun"]}]}, False),
        ({"any": [{"caller_in_list": "blocked"}, {"days": ["mon"]}]}, True),
        ({"any": [{"caller_in_list": "blocked"}, {"days": ["sun"]}]}, False),
        ({"not": {"caller_in_list": "blocked"}}, True),
        ({"not": {"any": [{"holiday": True}, {"account_open": False}]}}, True),
    ],
)
def test_all_any_not_combine(when: dict[str, Any], expected: bool) -> None:
    assert _value(when)[0] is expected


def test_a_failed_all_gives_the_reason_it_failed() -> None:
    value, why = _value({"all": [{"caller_in_list": "VIP"}, {"days": ["sun"]}]})
    assert not value and why == "today is Monday"


def test_a_shown_number_outside_the_known_ranges_is_not_withheld() -> None:
    # +33 7 00… is not an allocated French mobile range, but the caller's number is shown
    odd = "+33 7 00 00 00 03"
    assert normalise_caller(odd, "FR") == "+33700000003"
    assert normalise_caller("07 00 00 00 03", "FR") == "+33700000003"
    assert normalise_caller("anonymous", "FR") is None
    assert normalise_caller("not a number", "FR") is None
    value, reason = _value({"caller_withheld": True}, caller=odd)
    assert value is False and reason.startswith("the caller's number is shown (+33 7")
    assert _value({"caller_in_list": "VIP"}, caller=odd)[0] is False
