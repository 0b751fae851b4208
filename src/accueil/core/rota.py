"""On-call rotas: time-dependent ordered lists of contacts ("weeknights: Dr Martin, then Dr Roy").

A rota is tenant-authored (validated with pydantic at the edge). The first shift whose dates
and weekly hours cover the local time gives the contacts, in the order to call them.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from accueil.core.hours import InvalidHours, WeeklyHours
from accueil.errors import says


@lru_cache(maxsize=1024)
def weekly(text: str) -> WeeklyHours:
    return WeeklyHours.parse(text)


def check_hours(text: str) -> str:
    """A pydantic validator body: weekly hours text that parses, or a ValueError saying why."""
    if not text.strip():
        raise ValueError(says("empty hours are never open; write e.g. 'mon-fri 12:00-14:00'"))
    try:
        weekly(text)
    except InvalidHours as exc:
        raise ValueError(exc.message) from None
    return text


class Shift(BaseModel):
    """Who is on call, in order, over a period and/or weekly hours."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    contacts: list[str] = Field(min_length=1, description="phone numbers, called in this order")
    hours: str | None = Field(None, description="weekly hours, e.g. 'mon-fri 18:00-24:00'")
    start: date | None = Field(None, alias="from")
    end: date | None = Field(None, alias="to", description="last day included")

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: str | None) -> str | None:
        return None if value is None else check_hours(value)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Shift:
        if self.start and self.end and self.end < self.start:
            raise ValueError(
                says(
                    "the shift ends (%(end)s) before it starts (%(start)s)",
                    end=self.end,
                    start=self.start,
                )
            )
        return self

    def covers(self, local: datetime) -> bool:
        day = local.date()
        if (self.start and day < self.start) or (self.end and day > self.end):
            return False
        return self.hours is None or weekly(self.hours).is_open(local)


class Rota(BaseModel):
    """An account's on-call rota."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=64)
    name: str = Field("", max_length=200)
    shifts: list[Shift] = Field(min_length=1)

    def on_call(self, local: datetime) -> tuple[str, ...]:
        """The contacts to call at this local time, in order (empty when nobody is on call)."""
        shift = next((s for s in self.shifts if s.covers(local)), None)
        return tuple(shift.contacts) if shift else ()
