"""The screen pop: everything an agent sees when a call is offered, assembled in one place.

Pure: it is handed the directory slice, the decision, the script, the caller's history and the
familiarity, all already loaded, plus the time. Nothing here reads a database, so the same
function serves the agent desktop, the CLI and the benchmark, and a warm assembly is a few
dictionary look-ups and one template render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from accueil.core.availability import Availability
from accueil.core.decision import Decision
from accueil.core.directory import Account, Person
from accueil.core.explain import age, availability_sentence, phrases, when
from accueil.core.opening import OfficeState
from accueil.core.phone import pretty
from accueil.core.scripts.context import Caller, ScriptContext, situation_of
from accueil.core.scripts.model import Script
from accueil.core.scripts.runner import Greeting, RunState, greeting, run
from accueil.core.scripts.templates import TemplateFailed


@dataclass(frozen=True)
class PastCall:
    """An earlier call from the same number to the same account."""

    at: datetime
    person: str  # the person's name, or "" for the switchboard
    outcome: str  # take_message, patch_through, …; "" when none was recorded
    urgency: str = ""
    summary: str = ""  # the message's first fields, for a glance


@dataclass(frozen=True)
class Familiar:
    """Whether the answering agent knows this account and this person."""

    account: bool = False
    person: bool = False
    account_calls: int = 0  # calls this agent answered for the account recently
    person_calls: int = 0
    last_served: datetime | None = None


@dataclass(frozen=True)
class PopInputs:
    account: Account
    now: datetime
    office: OfficeState
    person: Person | None = None
    group_name: str = ""
    decision: Decision | None = None
    script: Script | None = None
    script_problem: str = ""  # why there is no script, when there is none
    caller: Caller = field(default_factory=lambda: Caller(""))
    history: Sequence[PastCall] = ()
    familiar: Familiar = Familiar()
    language: str = ""  # the agent desktop's language for explanations; "" → the account's


@dataclass(frozen=True)
class AccountPanel:
    key: str
    answer_name: str
    colour: str
    notes: str
    hours_now: str  # "open until 18:00", "closed (Noël), opens Mon 09:00"
    open: bool


@dataclass(frozen=True)
class PersonPanel:
    key: str
    name: str
    pronunciation: str
    title: str
    group: str
    availability: str  # a sentence: "Claire is in a meeting (calendar: 'Comité', until 15:00)"
    state: str
    source: str
    back_at: str
    stale: str  # "" when fresh, else "stale: set 14 h ago" (in the desk's language)
    delegate: str


@dataclass(frozen=True)
class ScriptPanel:
    ref: str  # the version reference the call will record
    greeting: Greeting | None
    first: RunState | None  # the lines before the first question, and that question
    problem: str = ""  # why there is no script to show


@dataclass(frozen=True)
class CallerPanel:
    number: str  # as people read it, or "withheld"
    e164: str
    known_name: str
    history: tuple[PastCall, ...]


@dataclass(frozen=True)
class ScreenPop:
    account: AccountPanel
    person: PersonPanel | None
    treatment: str
    rule: str
    explanation: str
    script: ScriptPanel
    caller: CallerPanel
    familiar: Familiar


def assemble(inputs: PopInputs) -> ScreenPop:
    """What the agent sees for this call."""
    lang = inputs.language or (inputs.account.languages[0] if inputs.account.languages else "en")
    decision = inputs.decision
    availability = decision.availability if decision else None
    return ScreenPop(
        account=_account(inputs, lang),
        person=_person(inputs, availability, lang),
        treatment=decision.treatment.type if decision else "",
        rule=decision.rule if decision else "",
        explanation=decision.explanation if decision else "",
        script=_script(inputs, availability),
        caller=_caller(inputs),
        familiar=inputs.familiar,
    )


# The account's hours as the desk reads them: open until …, closed (why), opens ….
_HOURS = {
    "en": ("open until {when}", "open", "closed{why}, opens {when}", "closed{why}"),
    "fr": ("ouvert jusqu'à {when}", "ouvert", "fermé{why}, ouvre {when}", "fermé{why}"),
}


def _account(inputs: PopInputs, lang: str) -> AccountPanel:
    account, office = inputs.account, inputs.office
    until, opened, closed_until, closed = _HOURS.get(lang, _HOURS["en"])
    at = when(office.until, account.timezone, inputs.now, phrases(lang)) if office.until else ""
    why = f" ({office.reason})" if office.reason else ""
    if office.open:
        hours = until.format(when=at) if at else opened
    else:
        hours = closed_until.format(why=why, when=at) if at else closed.format(why=why)
    return AccountPanel(
        account.key, account.answer_name, account.colour, account.notes, hours, office.open
    )


def _person(inputs: PopInputs, found: Availability | None, lang: str) -> PersonPanel | None:
    person = inputs.person
    if person is None:
        return None
    tz_name = inputs.account.timezone
    sentence, back_at, stale = "", "", ""
    if found is not None:
        sentence = availability_sentence(
            found, person.full_name, tz_name, inputs.now, phrases(lang)
        )
        back_at = when(found.until, tz_name, inputs.now, phrases(lang)) if found.until else ""
        if found.stale:
            stale = phrases(lang).stale.format(
                age=age((inputs.now - found.as_of).total_seconds(), phrases(lang))
            )
    return PersonPanel(
        key=person.key,
        name=person.full_name,
        pronunciation=person.pronunciation,
        title=person.title,
        group=inputs.group_name,
        availability=sentence,
        state=found.state.value if found else "",
        source=found.source.value if found else "",
        back_at=back_at,
        stale=stale,
        delegate=found.delegate.delegate_name if found and found.delegate else "",
    )


def _script(inputs: PopInputs, found: Availability | None) -> ScriptPanel:
    script = inputs.script
    if script is None:
        return ScriptPanel(
            "", None, None, inputs.script_problem or "no script saved for this account"
        )
    context = script_context(inputs, found)
    try:
        return ScriptPanel(script.ref, greeting(script, context), run(script, context, {}))
    except TemplateFailed as exc:  # shown to the agent; the call still goes on
        return ScriptPanel(script.ref, None, None, exc.message)


def script_context(
    inputs: PopInputs, found: Availability | None, language: str = ""
) -> ScriptContext:
    """What the call's script sees: the pop's account, person, office, caller and availability.

    ``language``: the script's language ("" → the person's); ``inputs.language`` is the desk's
    language for explanations, which the script does not speak.
    """
    return ScriptContext(
        account=inputs.account,
        now=inputs.now,
        situation=situation_of(inputs.office),
        person=inputs.person,
        group_name=inputs.group_name,
        availability=found,
        caller=inputs.caller,
        language=language,
    )


def _caller(inputs: PopInputs) -> CallerPanel:
    e164 = inputs.caller.number
    return CallerPanel(
        number=pretty(e164) if e164 else "withheld",
        e164=e164,
        known_name=inputs.caller.name,
        history=tuple(inputs.history),
    )
