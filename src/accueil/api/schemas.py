"""The API's representations of the directory (pydantic at the edge; core stays dataclasses).

Times are ISO 8601 with their offset; phone numbers are E.164.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from accueil.core.availability import Availability
from accueil.core.directory import Account, Agent, Group, Number, Person
from accueil.core.storable import unstorable
from accueil.errors import says


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class In(BaseModel):
    """A request body: unknown fields are refused, with their path, and so is text no store
    can keep (a NUL, a lone surrogate: ``core/storable.py``) anywhere in a field."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        if (bad := unstorable(value, name)) is not None:
            where, reason = bad
            raise ValueError(
                says("%(where)s: %(reason)s", where=where, reason=reason)
                if where != name
                else reason
            )
        return value


def _no_spaces_around(value: str) -> str:
    if value != value.strip():
        raise ValueError(
            says("%(given)r has spaces around it: write %(key)r", given=value, key=value.strip())
        )
    return value


Key = Annotated[str, AfterValidator(_no_spaces_around)]
"""A key a body names (a person, a team, a delegate): spaces around it are refused, naming
the field, rather than trimmed on one route and not found on another."""


class AccountOut(Out):
    key: str
    name: str
    answer_name: str
    timezone: str
    country: str
    subdivision: str
    languages: list[str]
    business_hours: str
    tier: str
    target_seconds: int
    notes: str

    @classmethod
    def of(cls, a: Account) -> AccountOut:
        return cls(
            key=a.key,
            name=a.name,
            answer_name=a.answer_name,
            timezone=a.timezone,
            country=a.country,
            subdivision=a.subdivision,
            languages=list(a.languages),
            business_hours=str(a.business_hours) if a.business_hours else "",
            tier=str(a.tier),
            target_seconds=a.target_seconds,
            notes=a.notes,
        )


class GroupOut(Out):
    key: str
    name: str

    @classmethod
    def of(cls, g: Group) -> GroupOut:
        return cls(key=g.key, name=g.name)


class DeviceOut(Out):
    key: str
    kind: str
    address: str


class PersonOut(Out):
    account: str
    key: str
    first_name: str
    last_name: str
    title: str
    group: str
    languages: list[str]
    email: str
    devices: list[DeviceOut]
    active: bool

    @classmethod
    def of(cls, p: Person) -> PersonOut:
        return cls(
            account=p.account,
            key=p.key,
            first_name=p.first_name,
            last_name=p.last_name,
            title=p.title,
            group=p.group,
            languages=list(p.languages),
            email=p.email,
            devices=[DeviceOut(key=d.key, kind=str(d.kind), address=d.address) for d in p.devices],
            active=p.active,
        )


class NumberOut(Out):
    e164: str
    account: str
    person: str
    label: str

    @classmethod
    def of(cls, n: Number) -> NumberOut:
        return cls(e164=n.e164, account=n.account, person=n.person, label=n.label)


class TrainingOut(Out):
    account: str
    level: int


class AgentOut(Out):
    key: str
    name: str
    site: str
    languages: list[str]
    trainings: list[TrainingOut]
    active: bool

    @classmethod
    def of(cls, a: Agent) -> AgentOut:
        return cls(
            key=a.key,
            name=a.name,
            site=a.site,
            languages=list(a.languages),
            trainings=[TrainingOut(account=t.account, level=t.level) for t in a.trainings],
            active=a.active,
        )


class DelegateOut(Out):
    delegate: str
    delegate_name: str
    start: datetime
    end: datetime | None
    reach: list[str] = Field(
        description="how to reach the delegate, as a secretary reads it: each device by its "
        "key and address ('mobile +33 6 12 34 56 78'), then their email",
    )


class AvailabilityOut(Out):
    person: str
    state: str
    source: str
    as_of: datetime
    until: datetime | None
    note: str
    stale: bool
    delegate: DelegateOut | None
    warnings: list[str]

    @classmethod
    def of(cls, a: Availability) -> AvailabilityOut:
        d = a.delegate
        return cls(
            person=a.person,
            state=a.state.value,
            source=a.source.value,
            as_of=a.as_of,
            until=a.until,
            note=a.note,
            stale=a.stale,
            delegate=DelegateOut(
                delegate=d.delegate,
                delegate_name=d.delegate_name,
                start=d.start,
                end=d.end,
                reach=list(d.reach),
            )
            if d
            else None,
            warnings=list(a.warnings),
        )
