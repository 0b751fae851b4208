"""Rule conditions: a JSON tree of all / any / not over predicates. Never eval'd.

Each node is an object with exactly one key, e.g.::

    {"all": [{"caller_in_list": "VIP"}, {"availability": ["meeting", "busy"]}]}

Evaluating a tree against the facts of a call gives its value and the reasons, one sentence
per predicate that decided the outcome.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from accueil.core.availability import State
from accueil.core.hours import DAYS
from accueil.core.phone import InvalidNumber, to_e164
from accueil.core.rota import check_hours
from accueil.errors import says

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class AllOf(_Node):
    all: list[Condition] = Field(min_length=1, description="true when every condition is")


class AnyOf(_Node):
    any: list[Condition] = Field(min_length=1, description="true when one condition is")


class NotOf(_Node):
    not_: Condition = Field(alias="not", description="true when the condition is false")


class CallerInList(_Node):
    caller_in_list: str = Field(min_length=1, description="the key of a caller list")


class PersonalVip(_Node):
    personal_vip: bool = Field(
        description="the caller is (true) or is not on the called person's own VIP list"
    )


class CallerKnown(_Node):
    caller_known: bool = Field(description="the caller is (true) or is not a known contact")


class CallerWithheld(_Node):
    caller_withheld: bool = Field(description="the caller's number is (true) or is not hidden")


class AvailabilityIs(_Node):
    availability: list[State] = Field(min_length=1, description="the person is in one of these")


class DaysAre(_Node):
    days: list[Day] = Field(min_length=1, description="local day of the week is one of these")


class HoursAre(_Node):
    hours: str = Field(description="local time within weekly hours, e.g. 'mon-fri 12:00-14:00'")

    @field_validator("hours")
    @classmethod
    def _valid(cls, value: str) -> str:
        return check_hours(value)


class HolidayIs(_Node):
    holiday: bool = Field(description="today is (true) or is not a public holiday")


class AccountOpen(_Node):
    account_open: bool = Field(description="the account is (true) or is not open now")


class Period(_Node):
    start: date = Field(alias="from", description="first day (account's calendar)")
    end: date = Field(alias="to", description="last day, included")

    @model_validator(mode="after")
    def _in_order(self) -> Period:
        if self.end < self.start:
            raise ValueError(
                says(
                    "the period ends (%(end)s) before it starts (%(start)s)",
                    end=self.end,
                    start=self.start,
                )
            )
        return self


class DatesAre(_Node):
    dates: Period = Field(description="today is within these days, e.g. from 2026-12-24 to …")


class DialledIs(_Node):
    dialled: list[str] = Field(min_length=1, description="numbers in international form")

    @field_validator("dialled")
    @classmethod
    def _e164(cls, value: list[str]) -> list[str]:
        out = []
        for raw in value:
            if not raw.strip().startswith("+"):
                raise ValueError(
                    says("%(raw)r: write dialled numbers in international form, +CC…", raw=raw)
                )
            try:
                out.append(to_e164(raw, ""))
            except InvalidNumber as exc:
                raise ValueError(exc.message) from None
        return out


_TAGS: dict[str, type[_Node]] = {
    "all": AllOf,
    "any": AnyOf,
    "not": NotOf,
    "caller_in_list": CallerInList,
    "personal_vip": PersonalVip,
    "caller_known": CallerKnown,
    "caller_withheld": CallerWithheld,
    "availability": AvailabilityIs,
    "days": DaysAre,
    "hours": HoursAre,
    "holiday": HolidayIs,
    "account_open": AccountOpen,
    "dates": DatesAre,
    "dialled": DialledIs,
}
_BY_CLASS = {cls: tag for tag, cls in _TAGS.items()}


def _tag(value: Any) -> str | None:
    if isinstance(value, dict):
        keys = list(value)
        return keys[0] if len(keys) == 1 and keys[0] in _TAGS else None
    return _BY_CLASS.get(type(value))


Condition = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[CallerInList, Tag("caller_in_list")]
    | Annotated[PersonalVip, Tag("personal_vip")]
    | Annotated[CallerKnown, Tag("caller_known")]
    | Annotated[CallerWithheld, Tag("caller_withheld")]
    | Annotated[AvailabilityIs, Tag("availability")]
    | Annotated[DaysAre, Tag("days")]
    | Annotated[HoursAre, Tag("hours")]
    | Annotated[HolidayIs, Tag("holiday")]
    | Annotated[AccountOpen, Tag("account_open")]
    | Annotated[DatesAre, Tag("dates")]
    | Annotated[DialledIs, Tag("dialled")],
    Discriminator(
        _tag,
        custom_error_type="invalid_condition",
        custom_error_message=(
            "a condition is an object with exactly one of the keys: " + ", ".join(_TAGS)
        ),
    ),
]

for _model in (AllOf, AnyOf, NotOf):
    _model.model_rebuild()

PREDICATES = tuple(_TAGS)
DAY_INDEX = {name: i for i, name in enumerate(DAYS)}


def predicate_name(condition: Condition) -> str:
    """The key a predicate is written with: 'caller_in_list', 'hours'…"""
    return _BY_CLASS[type(condition)]


def leaves(condition: Condition, path: str) -> list[tuple[str, Condition]]:
    """Every predicate of a tree with its path ('when.all[1].caller_in_list')."""
    if isinstance(condition, AllOf | AnyOf):
        items = condition.all if isinstance(condition, AllOf) else condition.any
        key = "all" if isinstance(condition, AllOf) else "any"
        return [leaf for i, c in enumerate(items) for leaf in leaves(c, f"{path}.{key}[{i}]")]
    if isinstance(condition, NotOf):
        return leaves(condition.not_, f"{path}.not")
    return [(f"{path}.{_BY_CLASS[type(condition)]}", condition)]
