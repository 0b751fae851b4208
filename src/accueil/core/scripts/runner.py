"""The script runner: given a script, the call's context and the answers so far, what next.

Pure and replayable: the agent desktop sends every answer typed so far and gets back the
lines already said, the question to ask now (with the problem if the last answer did not fit),
or, at the end, the outcome: a structured message, or an action with what was collected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from accueil.core.localtime import zone
from accueil.core.scripts.context import ScriptContext, variables
from accueil.core.scripts.fields import BadAnswer, Value, check_answer, shown
from accueil.core.scripts.model import (
    ActionKind,
    Condition,
    Field,
    Script,
    Situation,
    Step,
    Urgency,
)
from accueil.core.scripts.templates import render
from accueil.errors import AccueilError, said_of, says

MAX_STEPS = 500  # a merged script has no loop (checked when saved); this is a second guard


class ScriptError(AccueilError):
    code = "script_error"
    status = 500


@dataclass(frozen=True)
class Greeting:
    text: str
    language: str
    situation: Situation
    pronunciation: str = ""  # shown next to the greeting: "Lefèvre: le-FAIV-r"


@dataclass(frozen=True)
class Line:
    """A step the call went through, as the agent's transcript shows it."""

    step: str
    kind: str
    text: str
    answer: str = ""


@dataclass(frozen=True)
class Prompt:
    """The question to ask now."""

    step: str
    text: str
    field: Field
    given: str = ""  # the answer that did not fit, to correct


@dataclass(frozen=True)
class AnswerError:
    step: str
    given: str
    reason: str


@dataclass(frozen=True)
class TakenMessage:
    """What the agent took down: for whom, from whom, how urgent, and every answer."""

    for_person: str
    caller_number: str
    caller_name: str
    urgency: Urgency
    fields: tuple[tuple[str, str, str], ...]  # (field id, label, value as read)


@dataclass(frozen=True)
class ScriptOutcome:
    """How the script ends: an action, with the message it carries (the answers collected)."""

    action: ActionKind
    step: str
    message: TakenMessage
    person: str = ""  # patch_through: the person called; transfer: the colleague
    group: str = ""  # transfer: the group
    callback_at: datetime | None = None
    rota: str = ""
    note: str = ""


@dataclass(frozen=True)
class RunState:
    script: str  # the script's version reference, for the call record
    lines: tuple[Line, ...]
    prompt: Prompt | None = None
    errors: tuple[AnswerError, ...] = ()
    outcome: ScriptOutcome | None = None
    values: Mapping[str, Value] | None = None

    @property
    def done(self) -> bool:
        return self.outcome is not None


def greeting(
    script: Script, context: ScriptContext, words: dict[str, object] | None = None
) -> Greeting:
    """The greeting for this call's language and situation (falling back to office hours).

    ``words``: ``variables(context)``, made already (used when the greeting is in the call's
    language)."""
    language = greeting_language(script, context)
    by_situation = script.greetings[language]
    situation = context.situation if context.situation in by_situation else Situation.OFFICE_HOURS
    if situation not in by_situation:
        situation = next(iter(by_situation))
    if words is None or language != context.lang:
        words = variables(context, language)
    text = render(by_situation[situation], words)
    pronunciation = context.person.pronunciation if context.person else ""
    return Greeting(text, language, situation, pronunciation)


def greeting_language(script: Script, context: ScriptContext) -> str:
    """The language the greeting is said in: the call's, else the account's, else any."""
    wanted = (context.lang, *context.account.languages, *script.greetings)
    return next(lang for lang in wanted if lang in script.greetings)


def run(
    script: Script,
    context: ScriptContext,
    answers: Mapping[str, str],
    words: dict[str, object] | None = None,
) -> RunState:
    """Walk the script from its start with these answers, up to the next question or the end
    (``words``: ``variables(context)``, made already)."""
    words, lang = words if words is not None else variables(context), context.lang
    values: dict[str, Value] = {}
    lines: list[Line] = []
    step_id = script.start
    for _ in range(MAX_STEPS):
        step = script.step(step_id)
        if step.kind == "say":
            lines.append(Line(step.id, "say", render(step.text, _with(words, values, lang))))
        elif step.kind == "ask":
            text = render(step.text, _with(words, values, lang))
            stop = _ask(step, text, context, answers, values)
            if stop is not None:
                return RunState(script.ref, tuple(lines), *stop, values=dict(values))
            lines.append(Line(step.id, "ask", text, shown(values[step.id], context.lang)))
        elif step.kind == "branch":
            step_id, why = _branch(step, script, context, values)
            lines.append(Line(step.id, "branch", why))
            continue
        else:
            late = _slot_in_the_past(script, step, context, values, answers)
            if late is not None:
                kept = {k: v for k, v in values.items() if k != late[0].step}
                shown_lines = tuple(line for line in lines if line.step != late[0].step)
                return RunState(script.ref, shown_lines, *late, values=kept)
            outcome = _outcome(script, step, context, values, _with(words, values, lang))
            return RunState(script.ref, tuple(lines), outcome=outcome, values=dict(values))
        step_id = script.after(step)
    raise ScriptError(
        says("the script did not end within %(n)s steps", n=MAX_STEPS),
        script=script.ref,
    )


def _with(words: dict[str, object], values: Mapping[str, Value], lang: str) -> dict[str, object]:
    return {**words, "answers": {k: shown(v, lang) for k, v in values.items()}}


def _ask(
    step: Step,
    text: str,
    context: ScriptContext,
    answers: Mapping[str, str],
    values: dict[str, Value],
) -> tuple[Prompt, tuple[AnswerError, ...]] | None:
    """None when the answer is there and fits (kept in ``values``); else what to show."""
    assert step.field is not None
    if step.id not in answers:
        return Prompt(step.id, text, step.field), ()
    given = answers[step.id]
    tz = zone(context.account.timezone)
    try:
        values[step.id] = check_answer(step.field, given, context.account.country, tz)
    except BadAnswer as exc:
        return Prompt(step.id, text, step.field, given), (
            AnswerError(step.id, given, said_of(exc)),
        )
    return None


def _slot_in_the_past(
    script: Script,
    step: Step,
    context: ScriptContext,
    values: Mapping[str, Value],
    answers: Mapping[str, str],
) -> tuple[Prompt, tuple[AnswerError, ...]] | None:
    """A call-back cannot be booked before now: ask for the slot again."""
    action = step.action
    if action is None or action.kind is not ActionKind.BOOK_CALLBACK:
        return None
    slot = values.get(action.slot)
    if not isinstance(slot, datetime) or slot > context.now:
        return None
    asked = script.step(action.slot)
    assert asked.field is not None
    given = answers[action.slot]
    text = render(asked.text, _with(variables(context), values, context.lang))
    reason = says(
        "%(label)s: %(given)r is already past; give a time to come",
        label=asked.field.label,
        given=given,
    )
    return Prompt(asked.id, text, asked.field, given), (AnswerError(asked.id, given, reason),)


def _branch(
    step: Step, script: Script, context: ScriptContext, values: Mapping[str, Value]
) -> tuple[str, str]:
    for case in step.cases:
        if holds(case.when, context, values):
            return case.goto, f"→ {case.goto} ({describe(case.when)})"
    target = step.otherwise or script.after(step)
    return target, f"→ {target} (otherwise)"


def holds(when: Condition, context: ScriptContext, values: Mapping[str, Value]) -> bool:
    """Whether every part of the condition holds for this call and these answers."""
    checks: list[bool] = []
    if when.answer is not None:
        checks.append(_answer_holds(when, values.get(when.answer)))
    if when.available is not None:
        checks.append(bool(context.available) == when.available)
    if when.states:
        found = context.availability
        checks.append(found is not None and found.state.value in when.states)
    if when.situation is not None:
        checks.append(context.situation is when.situation)
    if when.between is not None:
        checks.append(when.between[0] <= context.local_minute < when.between[1])
    if when.known_caller is not None:
        checks.append(bool(context.caller.name) == when.known_caller)
    return all(checks)


def _answer_holds(when: Condition, value: Value) -> bool:
    if when.is_set is not None:
        return (value is not None) == when.is_set
    if when.equals is not None:
        if isinstance(when.equals, bool) or isinstance(value, bool):
            return value is when.equals
        return shown(value).casefold() == str(when.equals).casefold()
    return shown(value).casefold() in {v.casefold() for v in when.one_of}


def describe(when: Condition) -> str:
    """A condition in words, for the transcript: "answer urgent = yes, available"."""
    parts = []
    if when.answer is not None:
        test = (
            f"given={when.is_set}"
            if when.is_set is not None
            else f"= {shown(when.equals)}"
            if when.equals is not None
            else f"in {list(when.one_of)}"
        )
        parts.append(f"{when.answer} {test}")
    if when.available is not None:
        parts.append("available" if when.available else "not available")
    if when.states:
        parts.append(f"state in {list(when.states)}")
    if when.situation is not None:
        parts.append(when.situation.value.replace("_", " "))
    if when.between is not None:
        a, b = when.between
        parts.append(f"between {a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}")
    if when.known_caller is not None:
        parts.append("known caller" if when.known_caller else "unknown caller")
    return ", ".join(parts)


def _outcome(
    script: Script,
    step: Step,
    context: ScriptContext,
    values: Mapping[str, Value],
    words: dict[str, object],
) -> ScriptOutcome:
    action = step.action
    assert action is not None
    person = context.person.key if context.person else ""
    urgency = action.urgency
    if action.urgent_if and values.get(action.urgent_if) is True:
        urgency = Urgency.URGENT
    message = TakenMessage(
        for_person=person,
        caller_number=context.caller.number,
        caller_name=context.caller.name,
        urgency=urgency,
        fields=tuple(_fields(script, values, context.lang)),
    )
    slot = values.get(action.slot) if action.slot else None
    return ScriptOutcome(
        action=action.kind,
        step=step.id,
        message=message,
        person=action.person or (person if action.kind is ActionKind.PATCH_THROUGH else ""),
        group=action.group,
        callback_at=slot if isinstance(slot, datetime) else None,
        rota=action.rota,
        note=render(action.note, words) if action.note else "",
    )


def _fields(script: Script, values: Mapping[str, Value], lang: str) -> list[tuple[str, str, str]]:
    out = []
    for key, value in values.items():
        field = script.step(key).field
        out.append((key, field.label if field else key, shown(value, lang)))
    return out
