"""The decision for a call: the first matching rule's treatment, and why, in words.

``decide(call, directory, availability, rules, now)`` walks the person's rules, then their
group's, then the account's defaults, and falls back to ``answer``. It never raises on the
tenant's data: a rule that names a device or rota that has since gone is skipped, and the
trace says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from accueil.core.availability import Availability, Source
from accueil.core.callers import CallerList, KnownContacts, readable
from accueil.core.directory import Account, Person
from accueil.core.explain import EN, Phrases, availability_sentence, phrases
from accueil.core.facts import ConditionValue, Facts, evaluate
from accueil.core.holidays import public_holiday
from accueil.core.localtime import require_aware, to_local, zone
from accueil.core.opening import Closure
from accueil.core.rota import Rota
from accueil.core.rules import Rule, Scope
from accueil.core.treatments import Answer, Connect, Message, OnCall, Reject, Treatment


@dataclass(frozen=True)
class Call:
    """An inbound call as the telephony adapter reports it."""

    caller: str  # as received: E.164, national, or '' / 'anonymous' when withheld
    dialled: str  # E.164
    id: str = ""


@dataclass(frozen=True)
class CallDirectory:
    """The slice of the directory a decision reads: one account and maybe one person."""

    account: Account
    person: Person | None = None
    lists: Mapping[str, CallerList] = field(default_factory=dict)
    contacts: KnownContacts = field(default_factory=KnownContacts)
    rotas: Mapping[str, Rota] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    vip: CallerList | None = None  # the called person's own VIP list


@dataclass(frozen=True)
class RuleChain:
    """The rules in the order they are tried: person, group, account defaults."""

    person: tuple[Rule, ...] = ()
    group: tuple[Rule, ...] = ()
    account: tuple[Rule, ...] = ()
    broken: tuple[RuleTrace, ...] = ()  # stored rules that no longer validate: said, not tried

    def walk(self) -> list[tuple[Scope, Rule]]:
        scopes = ((Scope.PERSON, self.person), (Scope.GROUP, self.group))
        return [(s, r) for s, rules in (*scopes, (Scope.ACCOUNT, self.account)) for r in rules]


@dataclass(frozen=True)
class RingTarget:
    """A device to ring, resolved from a connect treatment."""

    device: str
    address: str
    timeout: int


@dataclass(frozen=True)
class RuleTrace:
    """One rule tried: whether it matched, and why not (its conditions, or why it was skipped)."""

    scope: Scope
    rule: str
    matched: bool
    skipped: str = ""  # 'disabled', or what the treatment lacked (a device, a rota)
    conditions: tuple[ConditionValue, ...] = ()

    @property
    def note(self) -> str:
        return self.skipped or "; ".join(c.reason for c in self.conditions)


@dataclass(frozen=True)
class Decision:
    """What happens to the call, and why."""

    treatment: Treatment
    rule: str  # the matching rule's name, or 'fallback'
    scope: Scope
    explanation: str
    conditions: tuple[ConditionValue, ...] = ()
    availability: Availability | None = None
    trace: tuple[RuleTrace, ...] = ()
    targets: tuple[RingTarget, ...] = ()  # connect: the devices to ring, in order
    contacts: tuple[str, ...] = ()  # on_call: who is on call now, in order


def decide(
    call: Call,
    directory: CallDirectory,
    availability: Availability | None,
    rules: RuleChain,
    now: datetime,
    *,
    lang: str = "en",
) -> Decision:
    """The first enabled rule whose conditions hold gives the treatment; else ``answer``."""
    require_aware(now, "now")
    p = phrases(lang)
    facts = Facts(
        caller=call.caller,
        dialled=call.dialled,
        account=directory.account,
        person=directory.person,
        availability=availability,
        lists=directory.lists,
        contacts=directory.contacts,
        vip=directory.vip,
        closures=directory.closures,
        now=now,
        phrases=p,
    )
    trace: list[RuleTrace] = list(rules.broken)
    for scope, rule in rules.walk():
        if not rule.enabled:
            trace.append(RuleTrace(scope, rule.name, False, "disabled"))
            continue
        matched, reasons = evaluate(rule.when, facts)
        if not matched:
            trace.append(RuleTrace(scope, rule.name, False, conditions=tuple(reasons)))
            continue
        targets, contacts, problem = _resolve(rule.then, directory, facts)
        if problem:
            trace.append(RuleTrace(scope, rule.name, False, problem))
            continue
        trace.append(RuleTrace(scope, rule.name, True))
        text = _sentence(rule.name, reasons, directory, availability, now, p)
        text += " → " + treatment_words(rule.then, targets, contacts, p)
        return Decision(
            rule.then, rule.name, scope, text, tuple(reasons), availability, tuple(trace),
            targets, contacts,
        )  # fmt: skip
    fallback = Answer()
    text = p.fallback.format(tried=len(trace))
    text = _with_availability(text, directory, availability, now, p)
    return Decision(fallback, "fallback", Scope.FALLBACK, text, (), availability, tuple(trace))


def _resolve(
    treatment: Treatment, directory: CallDirectory, facts: Facts
) -> tuple[tuple[RingTarget, ...], tuple[str, ...], str]:
    if isinstance(treatment, Connect):
        person = directory.person
        if person is None:
            return (), (), "connect needs a person; this number leads to the switchboard"
        targets = tuple(
            RingTarget(r.device, d.address, r.timeout)
            for r in treatment.devices
            if (d := person.device(r.device)) is not None
        )
        if not targets:
            names = ", ".join(r.device for r in treatment.devices)
            return (), (), f"{person.full_name} has none of the devices {names} any more"
        return targets, (), ""
    if isinstance(treatment, OnCall):
        rota = directory.rotas.get(treatment.rota)
        if rota is None:
            return (), (), f"the on-call rota {treatment.rota!r} no longer exists"
        contacts = rota.on_call(facts.local)
        if not contacts:
            return (), (), f"nobody is on call in rota {treatment.rota!r} now"
        return (), contacts, ""
    return (), (), ""


def _sentence(
    rule: str,
    reasons: Sequence[ConditionValue],
    directory: CallDirectory,
    availability: Availability | None,
    now: datetime,
    p: Phrases,
) -> str:
    said = _availability_words(directory, availability, now, p)
    # the availability sentence says more than an availability predicate's reason would
    parts = [r.reason for r in reasons if not (said and r.path.endswith(".availability"))]
    if not reasons:
        parts = [p.always]
    parts += [said] if said else []
    return p.matched.format(rule=rule) + p.colon + "; ".join(parts)


def _with_availability(
    text: str,
    directory: CallDirectory,
    availability: Availability | None,
    now: datetime,
    p: Phrases,
) -> str:
    said = _availability_words(directory, availability, now, p)
    return f"{text}; {said}" if said else text


def _availability_words(
    directory: CallDirectory, availability: Availability | None, now: datetime, p: Phrases
) -> str:
    person = directory.person
    if availability is None or person is None:
        return ""
    name = person.first_name or person.full_name
    account = directory.account
    if availability.source is Source.HOLIDAY and p.lang != "en":
        # the holiday's name was read in English with the availability; say it in p's words
        day = to_local(now, zone(account.timezone)).date()
        said = public_holiday(account.country, account.subdivision, day, p.lang)
        availability = replace(availability, note=said or availability.note)
    return availability_sentence(availability, name, account.timezone, now, p)


def treatment_words(
    treatment: Treatment,
    targets: Sequence[RingTarget] = (),
    contacts: Sequence[str] = (),
    p: Phrases = EN,
) -> str:
    """'ring mobile +33 6 12 34 56 78 (20 s); if no answer: the pool answers' — for people."""
    match treatment:
        case Connect():
            joiner = p.together if treatment.ring == "together" else p.then
            rings = joiner.join(
                p.ring.format(device=t.device, address=_addr(t.address), timeout=t.timeout)
                for t in targets
            )
            return rings + p.no_answer + treatment_words(treatment.no_answer, p=p)
        case Answer():
            extra = [p.script.format(script=treatment.script)] if treatment.script else []
            extra += [p.priority.format(priority=treatment.priority)] if treatment.priority else []
            extra += ["/".join(treatment.languages)] if treatment.languages else []
            return p.pool + (f" ({', '.join(extra)})" if extra else "")
        case Message():
            channels = p.or_.join(treatment.delivery)
            return p.message.format(urgency=p.urgency[treatment.urgency], channels=channels)
        case OnCall():
            who = p.then.join(_addr(c) for c in contacts) or treatment.rota
            return (
                p.on_call.format(who=who) + p.no_answer + treatment_words(treatment.no_answer, p=p)
            )
        case Reject():
            if treatment.mode == "busy":
                return p.reject_busy
            # what the caller will hear, so the agent who reads this knows too
            return p.reject_polite + (f' ("{treatment.say}")' if treatment.say else "")
    return str(treatment)


def _addr(address: str) -> str:
    return readable(address) if address.startswith("+") else address
