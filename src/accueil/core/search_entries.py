"""What the search index holds for each person, group or account, and how a match is told.

Each entry is found by words from fields: its names (first and last, with their particles and
compounds, see ``names``), its job title, its group. A word found in a name counts fully; in
a title or a group it counts almost fully when said exactly ("le vétérinaire", "compta") and
little when only spelled or sounded alike, so a job asked for outranks a loose name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache

from accueil.core.directory import Person
from accueil.core.names import name_words
from accueil.core.phonetic import fold
from accueil.core.vocabulary import COURTESY, HONORIFICS, SHORT_TITLES


class HitKind(StrEnum):
    PERSON = "person"
    GROUP = "group"
    ACCOUNT = "account"


class Field(IntEnum):
    NAME = 0
    TITLE = 1
    GROUP = 2


class How(StrEnum):
    """How a directory word matched a word the caller said."""

    EXACT = "exact"
    PREFIX = "prefix"
    VARIANT = "variant"  # a nickname or another form of a first name
    SPELLING = "spelling"
    SOUND = "sound"


LOOSE = frozenset({How.SPELLING, How.SOUND})
# (said exactly or as a prefix, only alike) weights of a word found in a title or a group.
FIELD_WEIGHTS = {Field.TITLE: (0.97, 0.55), Field.GROUP: (0.95, 0.6)}


@dataclass(frozen=True)
class EntryWord:
    word: str  # folded, no spaces
    field: Field
    exact: float  # weight when said exactly or as a prefix
    loose: float  # weight when only spelled or sounded alike
    shown: str  # as written in the directory, for the explanation


@dataclass(frozen=True)
class Entry:
    kind: HitKind
    account: str
    key: str
    label: str
    titles: tuple[str, ...]  # folded words of the title, for the honorific bonus
    sources: tuple[tuple[Field, str], ...]  # the texts its words come from

    def words(self, shown_as_written: bool = False) -> list[EntryWord]:
        """The words this entry is found by (worked out again on demand: not kept in memory);
        with how each is written, for an explanation."""
        out: list[EntryWord] = []
        for field, text in self.sources:
            shown = _as_written(text) if shown_as_written else {}
            if field is Field.NAME:
                out += [EntryWord(w, field, x, x, shown.get(w, text)) for w, x in name_words(text)]
                continue
            exact, loose = FIELD_WEIGHTS[field]
            said = [w for w in fold(text).split() if w not in COURTESY and w not in HONORIFICS]
            if len(said) > 1:  # "ressources humaines" as one, for "RH"
                said.append("".join(said))
            out += [EntryWord(w, field, exact, loose, shown.get(w, text)) for w in said]
        return out


@lru_cache(maxsize=4096)
def words_shown(entry: Entry) -> tuple[EntryWord, ...]:
    """An entry's words with how each is written: the entries shown are shown again."""
    return tuple(entry.words(shown_as_written=True))


def person_entry(p: Person, group: str) -> Entry:
    sources = [(Field.NAME, p.first_name), (Field.NAME, p.last_name), (Field.TITLE, p.title)]
    sources.append((Field.GROUP, group))
    titles = tuple(fold(p.title).split())
    return Entry(HitKind.PERSON, p.account, p.key, _label(p, group), titles, tuple(sources))


def named_entry(kind: HitKind, account: str, key: str, label: str, *names: str) -> Entry:
    """A group or an account: found by its name(s)."""
    return Entry(kind, account, key, label, (), tuple((Field.NAME, n) for n in names if n))


def explain(how: How, field: Field, shown: str, said: str) -> str:
    """One reason in words: "sounds like Reid", "nickname of William", "job title Plombier"."""
    if field is not Field.NAME:
        place = "job title" if field is Field.TITLE else "group"
        return f"{place} {shown}" if how not in LOOSE else f"{place} {shown} ({how.value})"
    return {
        How.EXACT: f"name {shown}",
        How.PREFIX: f"{shown} begins with {said!r}",
        How.VARIANT: f"nickname of {shown}",
        How.SPELLING: f"spelled like {shown}",
        How.SOUND: f"sounds like {shown}",
    }[how]


@lru_cache(maxsize=16384)
def _as_written(text: str) -> dict[str, str]:
    """Folded word (and joined tail of words) → as written: "legoff" → "Le Goff"."""
    tokens = re.findall(r"[^\W_]+", text)
    out = {fold(t): t for t in tokens}
    for k in range(len(tokens)):
        out.setdefault(fold("".join(tokens[k:])), " ".join(tokens[k:]))
    return out


def _label(p: Person, group: str) -> str:
    short = fold(p.title) in SHORT_TITLES
    name = f"{p.title} {p.full_name}".strip() if short else p.full_name
    extras = [x for x in ("" if short else p.title, group) if x]
    return f"{name} — {', '.join(extras)}" if extras else name
