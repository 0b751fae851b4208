"""The employee's rule editor: a person's own rules as rows of a form a phone can fill in, and
back. A row says when (always, a caller on my VIP list or on one of the account's lists, while
I am in a meeting or away, when the office is closed) and then (put through to one of my
devices for some seconds, then a message or the receptionists; the receptionists; a message;
refuse the call). A rule the form cannot say (written through the API, or by the client admin
with more conditions) is shown by its name and kept exactly as it is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accueil.core.conditions import AccountOpen, AvailabilityIs, CallerInList, PersonalVip
from accueil.core.rules import Rule
from accueil.core.treatments import Answer, Connect, Message, Reject
from accueil.errors import Problem, ValidationFailed, said_of, says

WHEN_STATES = {"meeting": ["meeting", "busy"], "away": ["away", "out_of_office"]}
FALLBACKS = ("message", "answer")
DEFAULT_SECONDS = 20


@dataclass(frozen=True)
class Row:
    """One rule as the form shows it; ``kept``: a rule the form cannot say, kept as it is."""

    name: str
    when: str = "always"  # always, vip, list:KEY, meeting, away, closed
    then: str = "message"  # connect:DEVICE, answer, message, reject
    seconds: int | str = DEFAULT_SECONDS  # as typed, in a row sent back to be corrected
    fallback: str = "message"
    enabled: bool = True
    kept: bool = False


def rows_of(rules: Sequence[Rule]) -> list[Row]:
    return [_row(r) for r in rules]


def _row(rule: Rule) -> Row:
    when, then = _when(rule), _then(rule)
    if when is None or then is None:
        return Row(rule.name, enabled=rule.enabled, kept=True)
    seconds, fallback = DEFAULT_SECONDS, "message"
    if isinstance(rule.then, Connect):
        seconds, fallback = rule.then.devices[0].timeout, rule.then.no_answer.type
    return Row(rule.name, when, then, seconds, fallback, rule.enabled)


def _when(rule: Rule) -> str | None:
    match rule.when:
        case None:
            return "always"
        case PersonalVip(personal_vip=True):
            return "vip"
        case CallerInList(caller_in_list=key):
            return f"list:{key}"
        case AvailabilityIs(availability=states):
            said = sorted(s.value for s in states)
            return next((k for k, v in WHEN_STATES.items() if sorted(v) == said), None)
        case AccountOpen(account_open=False):
            return "closed"
    return None


def _then(rule: Rule) -> str | None:
    t = rule.then
    if isinstance(t, Connect):
        plain = len(t.devices) == 1 and t.no_answer.type in FALLBACKS
        return f"connect:{t.devices[0].device}" if plain and _bare(t.no_answer) else None
    if isinstance(t, Answer | Message) and _bare(t):
        return t.type
    if isinstance(t, Reject) and t.mode == "polite" and not t.say:
        return "reject"
    return None


def _bare(treatment: Any) -> bool:
    """Nothing set beyond its type (no script, urgency, channels…): what the form can say."""
    return bool(treatment == type(treatment)())


@dataclass(frozen=True)
class Posted:
    """The rows as a form sends them, index by index."""

    kind: list[str]  # "form", or "kept:NAME"
    name: list[str]
    when: list[str]
    then: list[str]
    seconds: list[str]
    fallback: list[str]
    enabled: set[int]
    removed: set[int]


class _Refused(ValueError):
    """A row's input the form cannot read (``field``: which of the row's inputs)."""

    def __init__(self, reason: str, field: str) -> None:
        super().__init__(reason)
        self.field = field


def rules_of(posted: Posted, saved: Sequence[Rule]) -> list[dict[str, Any]]:
    """The rules the form sends, in its order: kept rules as saved, removed and blank rows left
    out. ValidationFailed names the row and input of each problem (``rules[i].seconds``), ``i``
    the row's place among the rules sent (as ``rows_posted`` shows them again)."""
    by_name = {r.name: r for r in saved}
    out: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for i, kind in enumerate(posted.kind):
        name = _at(posted.name, i).strip()
        if i in posted.removed or not name:
            continue
        if kind.startswith("kept:") and kind[5:] in by_name:
            kept = by_name[kind[5:]].model_copy(update={"enabled": i in posted.enabled})
            out.append(kept.model_dump(mode="json", by_alias=True, exclude_none=True))
            continue
        try:
            out.append(_rule(posted, i, name))
        except _Refused as exc:
            problems.append(Problem(said_of(exc), field=f"rules[{len(out)}].{exc.field}"))
            out.append({})  # its place kept: the next rows keep their numbers
    if problems:
        raise ValidationFailed(problems)
    return out


_PATH = re.compile(r"rules\[(\d+)\](?:\.(\w+))?(?:\.(\w+))?")
_INPUTS = {"name": "name", "when": "when", "seconds": "seconds", "fallback": "fallback"}


def input_of(path: str) -> tuple[int, str] | None:
    """The row and the input of the form a problem's path is about: ``rules[2].then.devices[0]
    .timeout`` → (2, "seconds"), ``rules[0].then.no_answer`` → (0, "fallback"); the input ""
    when no one input is (``rules[1]``, ``rules[1].enabled``); None: no row (the document)."""
    found = _PATH.match(path)
    if found is None:
        return None
    row, first, second = int(found[1]), found[2] or "", found[3]
    if first != "then":
        return row, _INPUTS.get(first, "")
    if second == "no_answer":
        return row, "fallback"
    if second == "devices" and (path.endswith(".timeout") or path.endswith("devices")):
        return row, "seconds"  # a ring's seconds, or how long the rings last in all
    return row, "then"


def _rule(posted: Posted, i: int, name: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": name, "then": _treatment(posted, i)}
    when = _condition(_at(posted.when, i))
    if when is not None:
        rule["when"] = when
    if i not in posted.enabled:
        rule["enabled"] = False
    return rule


def _condition(when: str) -> dict[str, Any] | None:
    if when == "always":
        return None
    if when == "vip":
        return {"personal_vip": True}
    if when.startswith("list:"):
        return {"caller_in_list": when[5:]}
    if when in WHEN_STATES:
        return {"availability": WHEN_STATES[when]}
    if when == "closed":
        return {"account_open": False}
    raise _Refused(says("%(when)r is not a choice of 'when'", when=when), "when")


def _treatment(posted: Posted, i: int) -> dict[str, Any]:
    then = _at(posted.then, i)
    if then.startswith("connect:"):
        fallback = _at(posted.fallback, i)
        if fallback not in FALLBACKS:
            reason = says("%(fallback)r is not a choice of 'if no answer'", fallback=fallback)
            raise _Refused(reason, "fallback")
        try:
            seconds = int(_at(posted.seconds, i))
        except ValueError:
            reason = says("%(text)r is not a number of seconds", text=_at(posted.seconds, i))
            raise _Refused(reason, "seconds") from None
        ring = {"device": then[8:], "timeout": seconds}
        return {"type": "connect", "devices": [ring], "no_answer": {"type": fallback}}
    if then in ("answer", "message", "reject"):
        return {"type": then}
    raise _Refused(says("%(then)r is not a choice of 'then'", then=then), "then")


def moved_up(posted: Posted, i: int) -> Posted:
    """The rows with row ``i`` one place earlier (the first rule that fits decides)."""
    if not 0 < i < len(posted.kind):
        return posted
    order = list(range(len(posted.kind)))
    order[i - 1], order[i] = i, i - 1

    def swap(values: list[str]) -> list[str]:
        return [_at(values, k) for k in order]

    def renumber(indices: set[int]) -> set[int]:
        return {order.index(k) for k in indices if k < len(order)}

    return Posted(
        swap(posted.kind), swap(posted.name), swap(posted.when), swap(posted.then),
        swap(posted.seconds), swap(posted.fallback), renumber(posted.enabled),
        renumber(posted.removed),
    )  # fmt: skip


def rows_posted(posted: Posted) -> list[Row]:
    """The rows as sent (to show them again with what was wrong); removed and blank ones out."""
    rows = []
    for i, kind in enumerate(posted.kind):
        name, on = _at(posted.name, i).strip(), i in posted.enabled
        if i in posted.removed or not name:
            continue
        if kind.startswith("kept:"):
            rows.append(Row(kind[5:], enabled=on, kept=True))
            continue
        when, then, seconds = _at(posted.when, i), _at(posted.then, i), _at(posted.seconds, i)
        rows.append(Row(name, when, then, seconds, _at(posted.fallback, i), on))
    return rows


def _at(values: list[str], i: int) -> str:
    return values[i] if i < len(values) else ""
