"""Reading one field of a record: text, keys, lists, flags, hours, time zones, numbers, devices.

Each reader takes what the source holds (text from CSV and YAML; typed values from code) and
returns the field's value, or raises FieldError with a reason a person can act on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from accueil.core.directory import Device, DeviceKind, Tier, Training
from accueil.core.hours import InvalidHours, WeeklyHours
from accueil.core.phone import InvalidNumber, to_e164
from accueil.errors import says

_MOBILE = DeviceKind.MOBILE
LIST_SEPARATOR = "|"  # between the items of a list written in one CSV cell
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SIP = re.compile(r"^sips?:[^\s]+$")
# Control characters: a NUL cannot even be stored in PostgreSQL, and a line break in a name is a
# cell gone wrong (an unclosed quote). Only long texts (notes) may hold line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = {"true", "yes", "y", "1", "on", "oui"}
_FALSE = {"false", "no", "n", "0", "off", "non"}


class FieldError(Exception):
    """A field's value cannot be used; ``reason`` says why and what to write instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text(value: object, *, limit: int = 200, lines: bool = False) -> str:
    """Plain text on one line (several with ``lines``); empty when absent."""
    if type(value) is str and len(value) <= limit:  # the common case, first
        out = value.strip()
    elif value is None:
        return ""
    elif isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(says("expected text"))
    else:
        out = str(value).strip()
        if len(out) > limit:
            raise FieldError(
                says(
                    "too long (%(length)s characters, at most %(limit)s)",
                    length=len(out),
                    limit=limit,
                )
            )
    control = (_CONTROL_IN_LINES if lines else _CONTROL).search(out)
    if control:
        if control.group() in "\r\n":
            raise FieldError(says("a line break in a one-line field (is a quote left open?)"))
        raise FieldError(
            says("a control character (%(control)r) in the text", control=control.group())
        )
    return out


def key(value: object) -> str:
    """A stable key: letters, digits and . _ @ + -, at most 64, starting with a letter or digit."""
    out = text(value, limit=1000)
    if not out:
        raise FieldError(says("a key is required"))
    if not _KEY.match(out):
        raise FieldError(
            says(
                "%(key)r is not a key: use letters, digits and . _ @ + - (at most 64 characters)",
                key=out,
            )
        )
    return out


def items(value: object) -> list[object]:
    """A list: a YAML/code list, or text with items separated by '|'."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    raise FieldError(
        says(
            "expected a list (items separated by %(separator)r in a cell)",
            separator=LIST_SEPARATOR,
        )
    )


def languages(value: object) -> tuple[str, ...]:
    """Language codes (ISO 639: fr, en, de…), in order of preference, without repeats."""
    if isinstance(value, str):
        return _languages_text(value)  # the same few cells come back on every row
    return _languages(value)


@lru_cache(maxsize=256)
def _languages_text(value: str) -> tuple[str, ...]:
    return _languages(value)


def _languages(value: object) -> tuple[str, ...]:
    out: list[str] = []
    for item in items(value):
        code = text(item).lower()
        if not _LANGUAGE.match(code):
            raise FieldError(says("%(code)r is not a language code (write fr, en, de…)", code=code))
        if code not in out:
            out.append(code)
    return tuple(out)


def flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise FieldError(says("%(word)r is not yes or no (write true or false)", word=word))


def integer(value: object, *, low: int, high: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        word = text(value)
        if not re.fullmatch(r"[+-]?\d+", word):
            raise FieldError(says("%(word)r is not a whole number", word=word))
        number = int(word)
    if not low <= number <= high:
        raise FieldError(
            says(
                "%(number)s is out of range (%(low)s to %(high)s)",
                number=number,
                low=low,
                high=high,
            )
        )
    return number


def timezone(value: object) -> str:
    name = text(value, limit=64)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise FieldError(
            says("%(name)r is not a time zone (write an IANA name such as Europe/Paris)", name=name)
        ) from None
    return name


def country(value: object) -> str:
    code = text(value, limit=10).upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise FieldError(says("%(code)r is not a country code (write FR, GB, BE, CH…)", code=code))
    return code


def hours(value: object) -> WeeklyHours:
    """Weekly hours, 'mon-fri 09:00-12:30,14:00-18:00; sat 09:00-12:00', or 'closed'."""
    return _hours(text(value, limit=2000))


@lru_cache(maxsize=256)
def _hours(written: str) -> WeeklyHours:
    if written.lower() == "closed":
        return WeeklyHours()
    try:
        return WeeklyHours.parse(written)
    except InvalidHours as exc:
        raise FieldError(says("bad hours: %(message)s", message=exc.message)) from None


def tier(value: object) -> Tier:
    word = text(value).lower()
    try:
        return Tier(word)
    except ValueError:
        names = ", ".join(t.value for t in Tier)
        raise FieldError(
            says("%(word)r is not a service tier (%(names)s)", word=word, names=names)
        ) from None


def colour(value: object) -> str:
    code = text(value, limit=16).lower()
    if not _COLOUR.match(code):
        raise FieldError(says("%(code)r is not a colour (write #rrggbb, e.g. #4a6fa5)", code=code))
    return code


def email(value: object) -> str:
    address = text(value, limit=254)
    if address and not _EMAIL.match(address):
        raise FieldError(says("%(address)r is not an email address", address=address))
    return address


def phone(value: object, region: str) -> str:
    """A phone number in E.164; a national number is read in ``region``."""
    try:
        return to_e164(text(value, limit=64), region)
    except InvalidNumber as exc:
        raise FieldError(exc.message) from None


# Device kinds by name, and each kind's name: plain dict lookups, as enum access is slow and
# a big import reads two or three devices per person.
DEVICE_KINDS = {kind.value: kind for kind in DeviceKind}
KIND_NAMES = {kind: name for name, kind in DEVICE_KINDS.items()}


def device_kind(value: object) -> DeviceKind:
    word = text(value).lower()
    found = DEVICE_KINDS.get(word)
    if found is None:
        raise FieldError(
            says(
                "%(word)r is not a device kind (%(kinds)s)",
                word=word,
                kinds=", ".join(DEVICE_KINDS),
            )
        )
    return found


def device(value: object, region: str) -> Device:
    """A device: {key, kind, address}, or text 'kind:address' / 'key=kind:address'."""
    if isinstance(value, Mapping):
        unknown = sorted(set(map(str, value)) - {"key", "kind", "address"})
        if unknown:
            raise FieldError(
                says("unknown device field %(unknown)r (key, kind, address)", unknown=unknown[0])
            )
        kind = device_kind(value.get("kind"))
        name = key(value.get("key") or KIND_NAMES[kind])
        return mobile_or_sip(name, kind, value.get("address"), region)
    spec = text(value, limit=300)
    head, sep, rest = spec.partition(":")
    if not sep:
        raise FieldError(
            says("%(spec)r: write a device as kind:address, e.g. mobile:06 12 34 56 78", spec=spec)
        )
    name, eq, kind_text = head.partition("=")
    kind = device_kind(kind_text if eq else head)
    return mobile_or_sip(key(name if eq else KIND_NAMES[kind]), kind, rest, region)


def mobile_or_sip(name: str, kind: DeviceKind, value: object, region: str) -> Device:
    """A device named ``name``; a mobile keeps its number as written beside the E.164."""
    where = address(kind, value, region)
    written = text(value, limit=64) if kind is _MOBILE else ""
    return Device(name, kind, where, written if written != where else "")


def address(kind: DeviceKind, value: object, region: str) -> str:
    """Where a device rings: E.164 for a mobile, a SIP URI for desk phones and softphones."""
    if kind is _MOBILE:
        return phone(value, region)
    uri = text(value, limit=200)
    if not _SIP.match(uri):
        raise FieldError(says("%(uri)r is not a SIP address (write sip:2001@pbx.example)", uri=uri))
    return uri


def devices(value: object, region: str) -> tuple[Device, ...]:
    found = tuple(device(item, region) for item in items(value))
    seen: set[str] = set()
    for d in found:
        if d.key in seen:
            raise FieldError(
                says("two devices are named %(key)r; give each its own key", key=d.key)
            )
        seen.add(d.key)
    return found


def trainings(value: object) -> tuple[Training, ...]:
    """Accounts an agent is trained on: {acme: 3}, [acme:3, …] or 'acme:3|dupont:1'."""
    pairs: list[tuple[object, object]]
    if isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        pairs = []
        for item in items(value):
            if isinstance(item, Mapping):
                pairs.append((item.get("account"), item.get("level", 1)))
            else:
                name, _, level_text = text(item).partition(":")
                pairs.append((name, level_text or 1))
    out: dict[str, Training] = {}
    for account, level in pairs:
        name = key(account)
        if name in out:
            raise FieldError(says("the training on %(name)r is written twice", name=name))
        out[name] = Training(name, integer(level, low=1, high=3))
    return tuple(out.values())
