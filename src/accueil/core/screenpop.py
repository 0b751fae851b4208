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
from accueil.core.scripts.context import Caller, ScriptContext, situation_of, variables
from accueil.core.scripts.model import Script
from accueil.core.scripts.reads import Key, Reads, reads_of
from accueil.core.scripts.runner import Greeting, RunState, greeting, greeting_language, run
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
    delegate: str  # who covers while the person is not available: their name, or ""
    # how to reach the delegate: "mobile +33 6 12 34 56 78, marie@example.fr", or ""
    delegate_reach: str = ""


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


def assemble(inputs: PopInputs, panels: ScriptPanels | None = None) -> ScreenPop:
    """What the agent sees for this call (``panels``: script panels made once for every call
    that reads the same, else made for this one)."""
    lang = inputs.language or (inputs.account.languages[0] if inputs.account.languages else "en")
    decision = inputs.decision
    availability = decision.availability if decision else None
    return ScreenPop(
        account=_account(inputs, lang),
        person=_person(inputs, availability, lang),
        treatment=decision.treatment.type if decision else "",
        rule=decision.rule if decision else "",
        explanation=decision.explanation if decision else "",
        script=(panels.panel if panels else _script)(inputs, availability),
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
        delegate_reach=", ".join(found.delegate.reach) if found and found.delegate else "",
    )


def _script(
    inputs: PopInputs,
    found: Availability | None,
    context: ScriptContext | None = None,
    words: dict[str, object] | None = None,
) -> ScriptPanel:
    script = inputs.script
    if script is None:
        return ScriptPanel(
            "", None, None, inputs.script_problem or "no script saved for this account"
        )
    context = context or script_context(inputs, found)
    try:
        words = words if words is not None else variables(context)  # once for both
        said = greeting(script, context, words)
        return ScriptPanel(script.ref, said, run(script, context, {}, words))
    except TemplateFailed as exc:  # shown to the agent; the call still goes on
        return ScriptPanel(script.ref, None, None, exc.message)


class ScriptPanels:
    """Script panels made once for every call that reads the same: the script (by identity:
    a saved script is a new one), the call's language and situation, and what the script's
    templates and branches read of the call (``core/scripts/reads.py``). A walk that ends
    before its first question (an outcome, which carries the caller) is made each time.
    Bounded: past ``most`` kept panels, they are all dropped."""

    def __init__(self, most: int = 4096) -> None:
        self.most = most
        self._reads: dict[int, tuple[Script, Reads]] = {}
        self._kept: dict[tuple[int, Key], tuple[Script, ScriptPanel]] = {}
        self.made = 0  # panels made (not found kept), for tests and figures

    def panel(self, inputs: PopInputs, found: Availability | None) -> ScriptPanel:
        script = inputs.script
        if script is None:
            return _script(inputs, found)
        context = script_context(inputs, found)
        words = variables(context)
        key = (id(script), self._key(script, context, words))
        kept = self._kept.get(key)
        if kept is not None and kept[0] is script:
            return kept[1]
        self.made += 1
        made = _script(inputs, found, context, words)
        if made.first is not None and made.first.outcome is None:
            if len(self._kept) >= self.most:
                self._kept.clear()
            self._kept[key] = (script, made)
        return made

    def _key(self, script: Script, context: ScriptContext, words: dict[str, object]) -> Key:
        kept = self._reads.get(id(script))
        if kept is None or kept[0] is not script:
            if len(self._reads) >= self.most:
                self._reads.clear()
            kept = self._reads[id(script)] = (script, reads_of(script))
        reads = kept[1]
        spoken = greeting_language(script, context)
        walked = reads.key(context, words)
        # greeted in the call's own language (most calls): the greeting reads the same words
        greeted = (
            walked if spoken == context.lang else reads.key(context, variables(context, spoken))
        )
        pronunciation = context.person.pronunciation if context.person else ""
        return (context.lang, context.situation, pronunciation, spoken, greeted, walked)


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
