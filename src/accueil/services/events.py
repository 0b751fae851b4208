"""The domain events: what changed, said once, after commit.

Every service that changes state emits one of these in the transaction of the change (see
``unit_of_work``): it is written to the outbox with the change and reaches subscribers (caches,
and later WebSocket streams, webhooks and message delivery) only once the change is committed.

An event is a frozen dataclass: the account first (tenant; "" for the operator's own data such
as agents), the instant it happened, then what a subscriber needs to act without reading the
store again. No secrets; names and phone numbers only where the change is about them.
``docs/events.md`` lists them.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Union, get_args, get_origin, get_type_hints

from accueil.errors import InvalidInput, says

_KINDS: dict[str, type[Event]] = {}


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that changed for one account (or for the operator, ``account == ""``)."""

    name: ClassVar[str] = ""
    account: str
    at: datetime

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name in _KINDS or not cls.name:
            raise TypeError(f"{cls.__name__}: an event needs a name of its own, got {cls.name!r}")
        _KINDS[cls.name] = cls

    def payload(self) -> dict[str, Any]:
        """The event as JSON-ready data (times in ISO 8601), as the outbox keeps it."""
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}


def event_from(name: str, payload: dict[str, Any]) -> Event:
    """The event an outbox row holds (``name`` and ``payload`` as written by ``payload()``)."""
    kind = _KINDS.get(name)
    if kind is None:
        raise InvalidInput(says("%(name)r is not an event accueil knows", name=name), event=name)
    hints = get_type_hints(kind)
    # a field added to an event after rows were written takes its default for those rows
    values = {
        f.name: _decode(hints[f.name], payload[f.name])
        for f in dataclasses.fields(kind)
        if f.name in payload
    }
    return kind(**values)


def event_kinds() -> dict[str, type[Event]]:
    """Every event class, by name (the streams' documentation is made from them)."""
    return dict(sorted(_KINDS.items()))


def event_names() -> list[str]:
    return sorted(_KINDS)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        real = [a for a in get_args(hint) if a is not type(None)]
        return _decode(real[0], value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if origin is tuple:
        return tuple(value)
    return value


# Availability -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StatusSet(Event):
    """A person said what they are doing (until when)."""

    name: ClassVar[str] = "status.set"
    person: str
    state: str
    until: datetime | None
    note: str
    origin: str


@dataclass(frozen=True, kw_only=True)
class StatusCleared(Event):
    """A person handed back to calendar and hours."""

    name: ClassVar[str] = "status.cleared"
    person: str
    origin: str


@dataclass(frozen=True, kw_only=True)
class DelegationAdded(Event):
    name: ClassVar[str] = "delegation.added"
    person: str
    delegate: str
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class DelegationRemoved(Event):
    """A delegation taken down (kept, with who and when): it covers no longer."""

    name: ClassVar[str] = "delegation.removed"
    person: str
    delegate: str
    by: str


@dataclass(frozen=True, kw_only=True)
class ClosureAdded(Event):
    name: ClassVar[str] = "closure.added"
    starts_at: datetime
    ends_at: datetime
    reason: str


@dataclass(frozen=True, kw_only=True)
class ClosureRemoved(Event):
    """A closure taken down (kept, with who and when): the account's hours decide again."""

    name: ClassVar[str] = "closure.removed"
    starts_at: datetime
    ends_at: datetime
    by: str


# Calendars ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CalendarFeedSet(Event):
    """A person's calendar now comes from this feed (fetched on the next refresh)."""

    name: ClassVar[str] = "calendar.feed_set"
    person: str


@dataclass(frozen=True, kw_only=True)
class CalendarUploaded(Event):
    name: ClassVar[str] = "calendar.uploaded"
    person: str


@dataclass(frozen=True, kw_only=True)
class CalendarRemoved(Event):
    """A person's calendar taken down (kept, with who and when): no longer read."""

    name: ClassVar[str] = "calendar.removed"
    person: str
    by: str


@dataclass(frozen=True, kw_only=True)
class CalendarRefreshed(Event):
    """A feed was fetched: ``error`` is "" when the new copy was kept, else why it was not."""

    name: ClassVar[str] = "calendar.refreshed"
    person: str
    error: str


# Rules, callers, scripts, calls --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RulesSaved(Event):
    name: ClassVar[str] = "rules.saved"
    scope: str  # person, group, account
    owner: str
    version: int
    saved_by: str


@dataclass(frozen=True, kw_only=True)
class CallerListSaved(Event):
    name: ClassVar[str] = "caller_list.saved"
    key: str
    entries: int


@dataclass(frozen=True, kw_only=True)
class CallerListRemoved(Event):
    """A caller list taken down (kept with its versions, who and when): calls no longer match it."""

    name: ClassVar[str] = "caller_list.removed"
    key: str
    by: str


@dataclass(frozen=True, kw_only=True)
class VipListSaved(Event):
    """A new version of a person's own VIP list."""

    name: ClassVar[str] = "vip_list.saved"
    person: str
    version: int
    entries: int
    saved_by: str


@dataclass(frozen=True, kw_only=True)
class EmployeePolicySaved(Event):
    """A new version of what the account lets employees do in their own rules."""

    name: ClassVar[str] = "employee_policy.saved"
    version: int
    saved_by: str


@dataclass(frozen=True, kw_only=True)
class ContactSaved(Event):
    name: ClassVar[str] = "contact.saved"
    number: str


@dataclass(frozen=True, kw_only=True)
class ContactRemoved(Event):
    """A known contact taken down (kept, with who and when): calls no longer know it."""

    name: ClassVar[str] = "contact.removed"
    number: str
    by: str


@dataclass(frozen=True, kw_only=True)
class RotaSaved(Event):
    name: ClassVar[str] = "rota.saved"
    key: str


@dataclass(frozen=True, kw_only=True)
class RotaRemoved(Event):
    """An on-call rota taken down (kept, with who and when): no longer used."""

    name: ClassVar[str] = "rota.removed"
    key: str
    by: str


@dataclass(frozen=True, kw_only=True)
class GroupRemoved(Event):
    """A team taken down (kept, with who and when, and who was in it): its people left it."""

    name: ClassVar[str] = "group.removed"
    key: str
    by: str
    members: int
    people: tuple[str, ...] = ()  # who left it (the team's row forgets them once restored)


@dataclass(frozen=True, kw_only=True)
class GroupRestored(Event):
    """A team taken down put back in use: the people who were in it (and in no other team
    since) are in it again."""

    name: ClassVar[str] = "group.restored"
    key: str
    by: str
    members: int
    people: tuple[str, ...] = ()  # who came back (the others stay where they went)


@dataclass(frozen=True, kw_only=True)
class NumberReleased(Event):
    """A number no longer leads to the account (kept with what it led to, who and when): a
    call to it is one to a number nobody has; it may be given again."""

    name: ClassVar[str] = "number.released"
    number: str
    person: str
    by: str


@dataclass(frozen=True, kw_only=True)
class ScriptSaved(Event):
    """A new version of a script layer; ``rolled_back_to`` names the version it copies."""

    name: ClassVar[str] = "script.saved"
    scope: str  # account, group, person
    owner: str
    version: int
    saved_by: str
    rolled_back_to: int | None = None


@dataclass(frozen=True, kw_only=True)
class CallRecorded(Event):
    name: ClassVar[str] = "call.recorded"
    call_id: str
    person: str
    outcome: str
    fate: str = "answered"  # see services.calls.FATES
    agent: str = ""


# Directory ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DirectoryImported(Event):
    """An import changed this account's directory (``account == ""``: the operator's agents).

    Subscribers holding anything built from the directory (search indexes, screen-pop slices)
    drop it for this account.
    """

    name: ClassVar[str] = "directory.imported"
    source: str
    created: int
    changed: int
    removed: int


# Messages -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MessageTaken(Event):
    """A message was stored for a person (``first`` names the original of a correction)."""

    name: ClassVar[str] = "message.taken"
    uid: str
    person: str
    urgency: str
    version: int
    first: str = ""


@dataclass(frozen=True, kw_only=True)
class MessageRead(Event):
    name: ClassVar[str] = "message.read"
    uid: str
    reader: str
    person: str = ""  # whom the message is for: their own stream shows it


@dataclass(frozen=True, kw_only=True)
class MessageAcknowledged(Event):
    """Someone took the message on: its escalation stops."""

    name: ClassVar[str] = "message.acknowledged"
    uid: str
    by: str
    via: str  # page, api, sms, cli
    person: str = ""  # whom the message is for: their own stream shows it


@dataclass(frozen=True, kw_only=True)
class MessageDelivery(Event):
    """A step of a message's delivery: sent, delivered, failed, escalated, expired, requeued."""

    name: ClassVar[str] = "message.delivery"
    uid: str
    kind: str
    channel: str
    detail: str = ""
    person: str = ""  # whom the message is for: their own stream shows it


@dataclass(frozen=True, kw_only=True)
class DeliveryPreferencesSaved(Event):
    """An account's defaults (``person == ""``) or a person's delivery preferences changed."""

    name: ClassVar[str] = "delivery_preferences.saved"
    person: str


@dataclass(frozen=True, kw_only=True)
class CallerErased(Event):
    """A caller's messages and call records were erased on request (no number kept here)."""

    name: ClassVar[str] = "caller.erased"
    by: str
    messages: int
    calls: int


@dataclass(frozen=True, kw_only=True)
class DataPurged(Event):
    """The account's retention deleted what was taken or recorded before ``before``."""

    name: ClassVar[str] = "data.purged"
    before: datetime
    messages: int
    calls: int
