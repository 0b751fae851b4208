"""How a message reaches a person: delivery preferences, quiet hours, retries. Pure.

A person's preferences (over the account's defaults, within the account's policy) say, for each
urgency, on which channels a message goes out (all of them, in that order), whether it waits
for the end of quiet hours, and whom to escalate to when nobody acknowledges it in time.
The documents are tenant-authored and validated here with pydantic; ``plan`` and ``release_at``
are what the services ask of them. ``backoff`` is the retry schedule of the dispatcher.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from accueil.core.localtime import to_local, wall_to_instant
from accueil.core.rules import refused
from accueil.errors import Problem, ValidationFailed, says


class Level(StrEnum):
    """How urgent a message is: low waits for the digest, urgent escalates."""

    LOW = "low"
    NORMAL = "normal"
    URGENT = "urgent"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    WEBHOOK = "webhook"
    DIGEST = "digest"


_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_TARGET = re.compile(r"^(rota|person):[A-Za-z0-9_.\-]{1,64}$")


def _minute(text: str) -> int:
    m = _HHMM.match(text.strip())
    if not m:
        raise ValueError(says("%(text)r: a time is written HH:MM, e.g. 21:00", text=text))
    return int(m.group(1)) * 60 + int(m.group(2))


class QuietHours(BaseModel):
    """A daily span when nothing that can wait is sent, in the account's zone ("21:00-07:00")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _time(cls, value: str) -> str:
        _minute(value)
        return value.strip()

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        start, sep, end = text.partition("-")
        if not sep:
            raise ValueError(
                says("%(text)r: write quiet hours as HH:MM-HH:MM, e.g. 21:00-07:00", text=text)
            )
        return cls(start=start, end=end)

    def span(self) -> tuple[int, int]:
        return _minute(self.start), _minute(self.end)

    def contains(self, local: datetime) -> bool:
        start, end = self.span()
        minute = local.hour * 60 + local.minute
        if start == end:
            return False
        if start < end:
            return start <= minute < end
        return minute >= start or minute < end  # across midnight


class UrgencyPolicy(BaseModel):
    """What happens to a message of one urgency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: list[Channel] = Field(min_length=1, description="all used, in this order")
    quiet_hours: bool = Field(True, description="wait for the end of quiet hours")
    reply_code: bool = Field(False, description="the SMS asks for a reply to acknowledge")
    escalate_after_minutes: int | None = Field(None, ge=1, le=24 * 60)
    escalate_to: list[str] = Field(
        default_factory=list, description="'rota:<key>' or 'person:<key>', tried in turn"
    )

    @field_validator("escalate_to")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        for target in value:
            if not _TARGET.match(target):
                raise ValueError(
                    says(
                        "%(target)r: an escalation target is 'rota:<key>' or 'person:<key>'",
                        target=target,
                    )
                )
        return value


class Preferences(BaseModel):
    """A preferences document: the account's defaults, or one person's choices over them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quiet_hours: str | None = Field(None, description="HH:MM-HH:MM in the account's zone")
    digest_at: str | None = Field(None, description="when the daily digest goes, HH:MM")
    low: UrgencyPolicy | None = None
    normal: UrgencyPolicy | None = None
    urgent: UrgencyPolicy | None = None
    # account defaults only: the channels a person may choose, and the client's webhook
    allowed_channels: list[Channel] | None = None
    webhook_url: str | None = Field(None, max_length=2000)
    webhook_secret: str | None = Field(None, max_length=200)
    retention_days: int | None = Field(
        None, ge=1, le=3650, description="messages and call records deleted after this"
    )

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str | None) -> str | None:
        if value is not None:
            start, sep, end = value.partition("-")
            if not sep:
                raise ValueError(
                    says("%(text)r: write quiet hours as HH:MM-HH:MM, e.g. 21:00-07:00", text=value)
                )
            _minute(start), _minute(end)
        return value

    @field_validator("digest_at")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None:
            _minute(value)
        return value

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError(
                says("%(url)r: a webhook URL starts with https:// (or http://)", url=value)
            )
        return value

    def policy(self, level: Level) -> UrgencyPolicy | None:
        found: UrgencyPolicy | None = getattr(self, level.value)
        return found


ACCOUNT_ONLY = ("allowed_channels", "webhook_url", "webhook_secret", "retention_days")

DEFAULTS = Preferences(
    digest_at="18:00",
    low=UrgencyPolicy(channels=[Channel.DIGEST]),
    normal=UrgencyPolicy(channels=[Channel.EMAIL]),
    urgent=UrgencyPolicy(channels=[Channel.SMS, Channel.EMAIL], quiet_hours=False, reply_code=True),
)


def read_preferences(data: Any, *, for_person: bool, file: str = "") -> Preferences:
    """A preferences document, or every problem with its path (``for_person``: no policy keys)."""
    if not isinstance(data, dict):
        raise ValidationFailed([Problem(says("preferences are a mapping of settings"), file)])
    try:
        found = Preferences.model_validate(data)
    except ValidationError as exc:
        raise refused(exc, file) from None
    if for_person:
        policy = [key for key in ACCOUNT_ONLY if data.get(key) is not None]
        if policy:
            raise ValidationFailed(
                [
                    Problem(says("set by the account, not by a person"), file, field=k)
                    for k in policy
                ]
            )
    return found


def merge(account: Preferences, person: Preferences | None) -> Preferences:
    """The person's choices over the account's, over accueil's defaults."""
    layers = [DEFAULTS, account, *([person] if person else [])]
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update({k: v for k, v in layer if v is not None})
    return Preferences.model_validate(merged)


def outside_policy(account: Preferences, person: Preferences, file: str = "") -> list[Problem]:
    """A person's channels the account does not allow, each with its path."""
    allowed = account.allowed_channels
    if allowed is None:
        return []
    problems = []
    for level in Level:
        policy = person.policy(level)
        for i, channel in enumerate(policy.channels if policy else []):
            if channel not in allowed:
                names = ", ".join(c.value for c in allowed)
                problems.append(
                    Problem(
                        says(
                            "%(channel)r is not allowed by the account (allowed: %(names)s)",
                            channel=channel.value,
                            names=names,
                        ),
                        file,
                        field=f"{level.value}.channels[{i}]",
                    )
                )
    return problems


def unknown_targets(
    prefs: Preferences, rotas: Collection[str], people: Collection[str], file: str = ""
) -> list[Problem]:
    """Escalation targets that name no rota in use, or no person, of the account, each with its
    path: a chain naming one would tell nobody at that step."""
    problems = []
    for level in Level:
        policy = prefs.policy(level)
        for i, (kind, key) in enumerate(targets(policy.escalate_to if policy else [])):
            known = rotas if kind == "rota" else people
            if key not in known:
                reason = (
                    says("no on-call rota %(key)r in use in this account", key=key)
                    if kind == "rota"
                    else says("no person %(key)r in this account", key=key)
                )
                problems.append(Problem(reason, file, field=f"{level.value}.escalate_to[{i}]"))
    return problems


@dataclass(frozen=True)
class Plan:
    """What taking a message of this urgency sets in motion."""

    channels: tuple[Channel, ...]
    release_at: datetime  # not sent before (end of quiet hours, or the digest's time)
    reply_code: bool
    escalate_after: timedelta | None
    escalate_to: tuple[str, ...]


def plan(prefs: Preferences, level: Level, now: datetime, tz: ZoneInfo) -> Plan:
    """The channels, the release time and the escalation of a message taken at ``now``."""
    policy = prefs.policy(level) or DEFAULTS.policy(level)
    assert policy is not None  # DEFAULTS has every level
    quiet = QuietHours.parse(prefs.quiet_hours) if prefs.quiet_hours else None
    release = release_at(now, tz, quiet if policy.quiet_hours else None)
    after = policy.escalate_after_minutes
    return Plan(
        channels=tuple(policy.channels),
        release_at=release,
        reply_code=policy.reply_code,
        escalate_after=timedelta(minutes=after) if after and policy.escalate_to else None,
        escalate_to=tuple(policy.escalate_to),
    )


def release_at(now: datetime, tz: ZoneInfo, quiet: QuietHours | None) -> datetime:
    """``now``, or the end of the quiet hours ``now`` falls in (in the zone ``tz``)."""
    if quiet is None:
        return now
    local = to_local(now, tz)
    if not quiet.contains(local):
        return now
    _, end = quiet.span()
    day = local.date()
    if local.hour * 60 + local.minute >= end:
        day += timedelta(days=1)
    return wall_to_instant(day, end, tz)


def next_digest(now: datetime, tz: ZoneInfo, at: str) -> datetime:
    """The next daily digest time ``at`` (HH:MM, zone ``tz``) after ``now``."""
    minute = _minute(at)
    local = to_local(now, tz)
    candidate = wall_to_instant(local.date(), minute, tz)
    return candidate if candidate > now else wall_to_instant(local.date(), minute + 1440, tz)


def backoff(
    attempts: int,
    rng: random.Random,
    *,
    base: float = 2.0,
    cap: float = 3600.0,
    retry_after: float | None = None,
) -> timedelta:
    """How long to wait before attempt ``attempts + 1``: exponential with full jitter.

    ``retry_after`` (a server's Retry-After) is a floor. The jitter spreads the retries of many
    messages that failed together, so a server coming back is not hit by all of them at once.
    """
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    wait = ceiling / 2 + rng.uniform(0, ceiling / 2)
    if retry_after is not None:
        wait = max(wait, min(retry_after, cap))
    return timedelta(seconds=wait)


def targets(text: Sequence[str]) -> list[tuple[str, str]]:
    """'rota:permanence' → ('rota', 'permanence')."""
    return [tuple(t.split(":", 1)) for t in text]  # type: ignore[misc]
