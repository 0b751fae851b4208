"""The facts of one call at one instant, computed lazily, and the evaluation of conditions.

Each predicate yields a value and a sentence saying why, in the explanation's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from accueil.core import conditions as c
from accueil.core.availability import Availability
from accueil.core.callers import CallerList, KnownContacts, normalise_caller, readable
from accueil.core.directory import Account, Person
from accueil.core.explain import Phrases, state_phrase
from accueil.core.holidays import public_holiday
from accueil.core.hours import DAYS
from accueil.core.localtime import to_local, zone
from accueil.core.opening import ClosedBecause, Closure, OfficeState, office_state
from accueil.core.rota import weekly


class ConditionValue(NamedTuple):
    """One predicate's value for this call, and the sentence that says it.

    The sentence is written only when read: most values are never shown, and formatting a
    phone number for people costs more than the rest of a decision. (A named tuple: twenty
    of these are made per decision.)
    """

    path: str
    value: bool
    template: str
    args: tuple[tuple[str, object], ...] = ()

    @property
    def reason(self) -> str:
        # tenant text (list names, labels, hours) only ever goes in as arguments, never as
        # the template, so braces in it are printed, not interpreted
        return self.template.format(**{k: v() if callable(v) else v for k, v in self.args})


class Facts:
    """What conditions ask about a call; each fact is computed at most once."""

    def __init__(
        self,
        *,
        caller: str,
        dialled: str,
        account: Account,
        person: Person | None,
        availability: Availability | None,
        lists: Mapping[str, CallerList],
        contacts: KnownContacts,
        vip: CallerList | None = None,
        closures: tuple[Closure, ...],
        now: datetime,
        phrases: Phrases,
    ) -> None:
        self.raw_caller, self.dialled, self.account, self.person = caller, dialled, account, person
        self.availability, self.lists, self.contacts = availability, lists, contacts
        self.closures, self.now, self.phrases = closures, now, phrases
        self.vip = vip  # the called person's own VIP list

    @cached_property
    def caller(self) -> str | None:
        return normalise_caller(self.raw_caller, self.account.country)

    @cached_property
    def caller_text(self) -> str:
        return readable(self.caller) if self.caller else self.phrases.withheld

    @cached_property
    def local(self) -> datetime:
        return to_local(self.now, zone(self.account.timezone))

    @cached_property
    def day_name(self) -> str:
        return self.phrases.days[self.local.weekday()]

    @cached_property
    def short_time(self) -> str:
        return f"{self.phrases.short_days[self.local.weekday()]} {self.local:%H:%M}"

    @cached_property
    def holiday(self) -> str | None:
        account, day = self.account, self.local.date()
        return public_holiday(account.country, account.subdivision, day, self.phrases.lang)

    @cached_property
    def office(self) -> OfficeState:
        return office_state(self.account.business_hours, self.account, self.closures, self.now)


def evaluate(
    condition: c.Condition | None, facts: Facts, path: str = "when"
) -> tuple[bool, list[ConditionValue]]:
    """The condition's value and the reasons that decided it (no condition: always true)."""
    if condition is None:
        return True, []
    if isinstance(condition, c.AllOf):
        reasons: list[ConditionValue] = []
        for i, child in enumerate(condition.all):
            value, why = evaluate(child, facts, f"{path}.all[{i}]")
            if not value:
                return False, why
            reasons.extend(why)
        return True, reasons
    if isinstance(condition, c.AnyOf):
        misses: list[ConditionValue] = []
        for i, child in enumerate(condition.any):
            value, why = evaluate(child, facts, f"{path}.any[{i}]")
            if value:
                return True, why
            misses.extend(why)
        return False, misses
    if isinstance(condition, c.NotOf):
        value, why = evaluate(condition.not_, facts, f"{path}.not")
        return not value, why
    leaf = _leaf(condition, facts, f"{path}.{c.predicate_name(condition)}")
    return leaf.value, [leaf]


def _leaf(condition: c.Condition, facts: Facts, path: str) -> ConditionValue:
    p = facts.phrases
    match condition:
        case c.CallerInList(caller_in_list=key):
            found = facts.lists.get(key)
            hit = found.match(facts.caller) if found else None
            label = f" ({hit.label})" if hit and hit.label else ""
            said = (p.in_list if hit else p.not_in_list) + "{label}"
            return _cv(path, hit is not None, said, caller=_Lazy(facts), list=key, label=label)
        case c.PersonalVip(personal_vip=wanted):
            if facts.person is None:
                return _cv(path, not wanted, p.no_person)
            hit = facts.vip.match(facts.caller) if facts.vip else None
            label = f" ({hit.label})" if hit and hit.label else ""
            said = (p.in_vip if hit else p.not_in_vip) + "{label}"
            who = facts.person.first_name or facts.person.full_name
            return _cv(
                path, (hit is not None) == wanted, said, caller=_Lazy(facts), name=who, label=label
            )
        case c.CallerKnown(caller_known=wanted):
            name = facts.contacts.name_of(facts.caller)
            said = p.known if name is not None else p.unknown
            return _cv(path, (name is not None) == wanted, said, caller=_Lazy(facts), name=name)
        case c.CallerWithheld(caller_withheld=wanted):
            hidden = facts.caller is None
            said = p.withheld_caller if hidden else p.shown_caller
            return _cv(path, hidden == wanted, said, caller=_Lazy(facts))
        case c.AvailabilityIs(availability=states):
            a = facts.availability
            if a is None:
                return _cv(path, False, p.no_person)
            name = facts.person.first_name if facts.person else ""
            return _cv(path, a.state in states, "{name} " + state_phrase(a.state, p), name=name)
        case c.DaysAre(days=days):
            today = DAYS[facts.local.weekday()]
            return _cv(path, today in days, p.today_is, day=facts.day_name)
        case c.HoursAre(hours=hours):
            inside = weekly(hours).is_open(facts.local)
            said = p.within if inside else p.outside
            return _cv(path, inside, said, time=facts.short_time, hours=hours)
        case c.HolidayIs(holiday=wanted):
            h = facts.holiday
            return _cv(path, (h is not None) == wanted, p.holiday if h else p.no_holiday, name=h)
        case c.AccountOpen(account_open=wanted):
            o = facts.office
            holiday = o.because is ClosedBecause.HOLIDAY and facts.holiday  # in p's language
            why = holiday or o.reason or p.off_hours
            said = p.open if o.open else p.closed
            return _cv(path, o.open == wanted, said, account=facts.account.name, why=why)
        case c.DatesAre(dates=period):
            within = period.start <= facts.local.date() <= period.end
            said = p.in_period if within else p.out_of_period
            return _cv(
                path, within, said, day=facts.local.date(), start=period.start, end=period.end
            )
        case c.DialledIs(dialled=numbers):
            was = facts.dialled in numbers
            said = p.dialled if was else p.not_dialled
            return _cv(path, was, said, number=_Lazy(facts, dialled=True))
    raise TypeError(f"not a predicate: {condition!r}")  # the Condition union is exhaustive


class _Lazy:
    """The caller's (or dialled) number as people read it, formatted on first use."""

    def __init__(self, facts: Facts, *, dialled: bool = False) -> None:
        self.facts, self.dialled = facts, dialled

    def __call__(self) -> str:
        return readable(self.facts.dialled) if self.dialled else self.facts.caller_text


def _cv(path: str, value: bool, template: str, **args: object) -> ConditionValue:
    return ConditionValue(path, value, template, tuple(args.items()))
