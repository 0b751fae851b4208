"""A script as the runner reads it: greetings, steps, conditions and actions.

Frozen dataclasses built from a validated, merged document (see ``document.py``); templates
are kept as their source text and compiled once, on first use (see ``templates.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Situation(StrEnum):
    """Which greeting applies: the office is open, closed for the night, or on holiday."""

    OFFICE_HOURS = "office_hours"
    AFTER_HOURS = "after_hours"
    HOLIDAY = "holiday"


class FieldType(StrEnum):
    TEXT = "text"
    PHONE = "phone"
    EMAIL = "email"
    CHOICE = "choice"
    DATETIME = "datetime"
    YESNO = "yesno"


class ActionKind(StrEnum):
    PATCH_THROUGH = "patch_through"  # warm transfer to the person the call is for
    TRANSFER = "transfer"  # to a colleague or a group
    TAKE_MESSAGE = "take_message"
    DISPATCH_ON_CALL = "dispatch_on_call"
    BOOK_CALLBACK = "book_callback"


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """What an ask step collects and how the answer is checked."""

    type: FieldType
    label: str
    required: bool = True
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Condition:
    """Every given part must hold ("all of"). Unset parts are not checked."""

    answer: str | None = None  # a field id…
    equals: str | bool | None = None  # …whose answer equals this
    one_of: tuple[str, ...] = ()  # …or is one of these
    is_set: bool | None = None  # …or was (not) given
    available: bool | None = None  # the person is (not) available now
    states: tuple[str, ...] = ()  # the person's availability state is one of these
    situation: Situation | None = None
    between: tuple[int, int] | None = None  # local minutes [start, end)
    known_caller: bool | None = None


@dataclass(frozen=True)
class Case:
    when: Condition
    goto: str


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    person: str = ""  # transfer: a colleague's person key
    group: str = ""  # transfer: a group key
    urgency: Urgency = Urgency.NORMAL
    urgent_if: str = ""  # a yes/no field id: "yes" makes the message urgent
    slot: str = ""  # book_callback: the datetime field holding the slot
    rota: str = ""  # dispatch_on_call: which rota, empty for the account's default
    note: str = ""  # template: what the agent says while doing it


@dataclass(frozen=True)
class Step:
    """One step. Exactly one of say/ask/branch/action is set (by ``kind``)."""

    id: str
    kind: str  # "say", "ask", "branch", "action"
    text: str = ""  # say: the words; ask: the question (templates)
    field: Field | None = None
    cases: tuple[Case, ...] = ()
    otherwise: str = ""
    action: Action | None = None
    next: str = ""  # explicit next step; default: the following one


@dataclass(frozen=True)
class Script:
    """An effective script: one account's, possibly overridden by a group's and a person's."""

    name: str
    greetings: Mapping[str, Mapping[Situation, str]]  # language → situation → template
    steps: tuple[Step, ...]
    start: str
    versions: tuple[str, ...] = ()  # the layers it was built from: "account:3", "person:dupont:5"
    _by_id: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: i for i, s in enumerate(self.steps)})

    def step(self, step_id: str) -> Step:
        return self.steps[self._by_id[step_id]]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._by_id

    def after(self, step: Step) -> str:
        """The id of the step that follows ``step`` when it names none: the next one listed."""
        if step.next:
            return step.next
        i = self._by_id[step.id] + 1
        return self.steps[i].id if i < len(self.steps) else ""

    @property
    def ref(self) -> str:
        """What a call records to say which script it used: "account:3+person:dupont:5"."""
        return "+".join(self.versions)
