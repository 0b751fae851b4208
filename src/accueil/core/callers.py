"""Who is calling: named caller lists (VIP, blocked, family) and the account's known contacts.

Numbers are normalised to E.164 with phonenumbers; a list entry ending in ``*`` is a prefix
("+33 1*": every Paris landline). Matching is a set lookup plus a short prefix scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers

from accueil.core.phone import InvalidNumber, pretty, to_e164
from accueil.errors import says

WITHHELD = frozenset({"", "anonymous", "unknown", "private", "withheld", "restricted"})


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@lru_cache(maxsize=65536)
def normalise_caller(raw: str, country: str) -> str | None:
    """The caller's E.164, or None when withheld or not a phone number at all.

    Carriers hand us E.164 already; that form is taken as is (full parsing costs ~100 µs,
    half a decision's budget). Anything else is parsed in the account's country.
    """
    text = raw.strip()
    if text.lower() in WITHHELD:
        return None
    if _E164.match(text):
        return text
    try:
        return to_e164(text, country)
    except InvalidNumber:
        return _possible(text, country)


def _possible(text: str, country: str) -> str | None:
    # A number outside the known ranges (a new range, a foreign carrier's) is still a shown
    # number: treating it as withheld would fire 'caller_withheld' rules on a caller we can see.
    try:
        parsed = phonenumbers.parse(text, country.upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65536)
def readable(e164: str) -> str:
    """'+33 6 12 34 56 78': how explanations print a number (cached: callers come back)."""
    return pretty(e164)


def normalise_entry(raw: str, country: str) -> str:
    """A list entry as stored: E.164, or '+digits*' for a prefix. Raises InvalidNumber."""
    text = raw.strip()
    if text.endswith("*"):
        digits = "".join(c for c in text[:-1] if c.isdigit())
        if not text.startswith("+") or not 0 < len(digits) <= 15:
            raise InvalidNumber(
                says(
                    "%(raw)r: write a prefix in international form (at most 15 digits), "
                    "e.g. '+33 1*'",
                    raw=raw,
                ),
                raw=raw,
            )
        return f"+{digits}*"
    return to_e164(text, country)


@dataclass(frozen=True)
class ListEntry:
    pattern: str  # E.164, or '+digits*'
    label: str = ""

    def matches(self, e164: str) -> bool:
        if self.pattern.endswith("*"):
            return e164.startswith(self.pattern[:-1])
        return e164 == self.pattern


@dataclass(frozen=True)
class CallerList:
    """A named list of an account: 'VIP', 'blocked', 'family'."""

    key: str
    name: str = ""
    entries: tuple[ListEntry, ...] = ()
    _exact: Mapping[str, ListEntry] = field(default_factory=dict, repr=False, compare=False)
    _prefixes: tuple[ListEntry, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def of(cls, key: str, entries: Iterable[ListEntry], name: str = "") -> CallerList:
        items = tuple(entries)
        exact = {e.pattern: e for e in items if not e.pattern.endswith("*")}
        # longest prefix first, so the most specific entry's label is the one reported
        prefixes = tuple(
            sorted((e for e in items if e.pattern.endswith("*")), key=lambda e: -len(e.pattern))
        )
        return cls(key, name or key, items, exact, prefixes)

    def match(self, e164: str | None) -> ListEntry | None:
        if e164 is None:
            return None
        found = self._exact.get(e164)
        if found is not None:
            return found
        return next((p for p in self._prefixes if p.matches(e164)), None)


@dataclass(frozen=True)
class KnownContacts:
    """The account's known contacts by E.164: 'Dupont SA — M. Leroy'."""

    names: Mapping[str, str] = field(default_factory=dict)

    def name_of(self, e164: str | None) -> str | None:
        return None if e164 is None else self.names.get(e164)
