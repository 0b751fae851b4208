"""Finding anyone in a client's directory from what a caller said.

"Madame Lefèvre in accounting", "Dr Nguyen", "Katherine": the query is folded (case and accents
removed), stripped of courtesy words, and each remaining word is matched against the words of
the directory (first and last names, titles, group names) three ways: exactly or as a prefix
(an agent typing), by spelling distance (rapidfuzz), and by sound (``phonetic_key``).

The index is built once per account (or once across all accounts, for "which client is this?"):
the directory's distinct words with, for each, the entries that contain it as numpy arrays. A
query touches only the words that match, so its cost grows with the vocabulary, not with the
number of people, and scoring is a few vectorised maximums.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from accueil.core.directory import Account, Group, Person
from accueil.core.phonetic import fold, phonetic_key

# The (account key, person key) of the people shown → available now? Absent or None: unknown.
Availability = Callable[[Sequence[tuple[str, str]]], Mapping[tuple[str, str], bool | None]]


def _words_of(text: str) -> list[str]:
    return text.split()


# Words a caller wraps a name in. Removed from the query unless nothing else is left.
COURTESY = frozenset(
    _words_of(
        """
        madame monsieur mademoiselle mme mmes mlle mr mrs ms miss m mister sir madam je voudrais
        parler a au aux avec la le les l d de du des en chez pour service please i would like to
        speak with the in of from at for department dept svp bonjour hello is there can call who
        """
    )
)
# Honorifics that point at a title: "Dr Nguyen" prefers the Nguyen whose title says so.
HONORIFICS = {
    "dr": ("dr", "docteur", "doctor", "medecin"),
    "docteur": ("dr", "docteur", "doctor", "medecin"),
    "doctor": ("dr", "docteur", "doctor", "medecin"),
    "maitre": ("maitre", "avocat", "avocate", "notaire", "me"),
    "me": ("maitre", "avocat", "avocate", "notaire"),
    "professeur": ("professeur", "pr", "prof", "professor"),
    "pr": ("professeur", "pr", "prof", "professor"),
    "prof": ("professeur", "pr", "prof", "professor"),
    "professor": ("professeur", "pr", "prof", "professor"),
}
NAME, TITLE, GROUP = 1.0, 0.55, 0.6  # how much a word counts, by where it was found
_TITLE_BONUS = 8.0
_PREFIX_MIN = 2
MAX_QUERY_WORDS = 12


class HitKind(StrEnum):
    PERSON = "person"
    GROUP = "group"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Hit:
    """One search result: who, where, how well it matched (0–100)."""

    kind: HitKind
    account: str
    key: str  # person or group key; the account key for an account hit
    label: str  # what the agent reads: "Dr Anh Nguyen — Cardiologie"
    score: int
    available: bool | None = None


@dataclass(frozen=True)
class _Entry:
    kind: HitKind
    account: str
    key: str
    label: str
    titles: tuple[str, ...]  # folded words of the title, for the honorific bonus


class SearchIndex:
    """The words of one account (or of all accounts) and where each word occurs."""

    def __init__(self, entries: list[_Entry], words: list[list[tuple[str, float]]]) -> None:
        self._entries = entries
        postings: dict[str, dict[int, float]] = {}
        for entry_id, entry_words in enumerate(words):
            for word, weight in entry_words:
                slot = postings.setdefault(word, {})
                slot[entry_id] = max(weight, slot.get(entry_id, 0.0))
        self._vocab = sorted(postings)
        self._ids: list[npt.NDArray[np.int32]] = []
        self._weights: list[npt.NDArray[np.float32]] = []
        for word in self._vocab:
            slot = postings[word]
            self._ids.append(np.fromiter(slot.keys(), dtype=np.int32, count=len(slot)))
            self._weights.append(np.fromiter(slot.values(), dtype=np.float32, count=len(slot)))
        self._word_id = {w: i for i, w in enumerate(self._vocab)}
        by_sound: dict[str, list[int]] = {}
        for i, word in enumerate(self._vocab):
            key = phonetic_key(word)
            if len(key) >= 2:
                by_sound.setdefault(key, []).append(i)
        self._sounds = list(by_sound)
        self._sound_words = [by_sound[s] for s in self._sounds]
        # The index never changes: what a word matches is kept. Callers repeat the same first
        # names, groups and titles all day, and an agent typing "mar", "mart"… repeats words.
        self._matches = lru_cache(maxsize=8192)(self._matching_words)

    @classmethod
    def for_account(
        cls, account: Account, people: Iterable[Person], groups: Iterable[Group]
    ) -> SearchIndex:
        """The index of one account's people and groups."""
        return cls.across([account], people, groups, with_accounts=False)

    @classmethod
    def across(
        cls,
        accounts: Iterable[Account],
        people: Iterable[Person],
        groups: Iterable[Group],
        *,
        with_accounts: bool = True,
    ) -> SearchIndex:
        """One index over many accounts; account names are searchable too."""
        entries: list[_Entry] = []
        words: list[list[tuple[str, float]]] = []
        group_names = {(g.account, g.key): g.name for g in groups}
        for (account_key, key), name in group_names.items():
            entries.append(_Entry(HitKind.GROUP, account_key, key, name, ()))
            words.append(_words(name, NAME))
        for p in people:
            if not p.active:
                continue
            group = group_names.get((p.account, p.group), "")
            entries.append(
                _Entry(HitKind.PERSON, p.account, p.key, _label(p, group), _title_words(p))
            )
            words.append(_person_words(p, group))
        for a in accounts if with_accounts else ():
            entries.append(_Entry(HitKind.ACCOUNT, a.key, a.key, a.answer_name or a.name, ()))
            words.append(_words(f"{a.name} {a.answer_name}", NAME))
        return cls(entries, words)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocab)

    def search(
        self, text: str, *, limit: int = 10, availability: Availability | None = None
    ) -> list[Hit]:
        """The best ``limit`` entries for what the caller said, best first.

        At equal score, people known to be available come before the others.
        """
        words, hints = _query_words(text)
        if not words or not self._entries:
            return []
        total = np.zeros(len(self._entries), dtype=np.float32)
        for word in words:
            total += self._best_per_entry(word)
        total /= len(words)
        return self._rank(total, hints, limit, availability)

    def _best_per_entry(self, word: str) -> npt.NDArray[np.float32]:
        best = np.zeros(len(self._entries), dtype=np.float32)
        for word_id, score in self._matches(word).items():
            ids = self._ids[word_id]
            best[ids] = np.maximum(best[ids], self._weights[word_id] * score)
        return best

    def _matching_words(self, word: str) -> dict[int, float]:
        """Directory words that match one query word, with a score 0–100."""
        found: dict[int, float] = {}

        def offer(word_id: int, score: float) -> None:
            if score > found.get(word_id, 0.0):
                found[word_id] = score

        exact = self._word_id.get(word)
        if exact is not None:
            offer(exact, 100.0)
        if len(word) >= _PREFIX_MIN:
            start = bisect.bisect_left(self._vocab, word)
            for i in range(start, min(start + 200, len(self._vocab))):
                candidate = self._vocab[i]
                if not candidate.startswith(word):
                    break
                offer(i, 86.0 + 10.0 * len(word) / len(candidate))
        cutoff = 82.0 if len(word) <= 4 else 74.0
        for _, score, i in process.extract(
            word, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=40
        ):
            offer(i, float(score) * 0.97)
        self._match_sounds(word, offer)
        return found

    def _match_sounds(self, word: str, offer: Callable[[int, float], None]) -> None:
        key = phonetic_key(word)
        if len(key) < 2:
            return
        for _, score, i in process.extract(
            key, self._sounds, scorer=fuzz.ratio, score_cutoff=80.0, limit=10
        ):
            for word_id in self._sound_words[i]:
                # Same sound: 88, plus a little for spelling so the closest spelling leads.
                spelling = fuzz.ratio(word, self._vocab[word_id]) / 10.0
                offer(word_id, (88.0 if score >= 100 else 0.8 * float(score)) + spelling)

    def _rank(
        self,
        total: npt.NDArray[np.float32],
        hints: tuple[str, ...],
        limit: int,
        availability: Availability | None,
    ) -> list[Hit]:
        pool = min(len(total), max(limit * 4, 40))
        top = np.argpartition(-total, pool - 1)[:pool] if pool < len(total) else np.arange(pool)
        scored: list[tuple[int, float, _Entry]] = []
        for entry_id in top.tolist():
            raw = float(total[entry_id])
            if raw <= 0:
                continue
            entry = self._entries[entry_id]
            if hints and any(t in hints for t in entry.titles):
                raw += _TITLE_BONUS
            scored.append((min(100, round(raw)), raw, entry))
        scored.sort(key=lambda s: (-s[0], -s[1], s[2].label))
        shown = scored[:limit]
        # Availability is asked for the rows shown only, all at once (one read in the service).
        people = [(e.account, e.key) for _, _, e in shown if e.kind is HitKind.PERSON]
        known = availability(people) if availability is not None and people else {}
        hits = [
            (Hit(e.kind, e.account, e.key, e.label, score, known.get((e.account, e.key))), raw)
            for score, raw, e in shown
        ]
        # At equal score, people known to be available come first.
        hits.sort(key=lambda h: (-h[0].score, _availability_rank(h[0].available), -h[1]))
        return [hit for hit, _ in hits]


def _availability_rank(available: bool | None) -> int:
    return 0 if available else (1 if available is None else 2)


def _label(p: Person, group: str) -> str:
    name = f"{p.title} {p.full_name}".strip() if _short_title(p.title) else p.full_name
    extras = [x for x in (p.title if not _short_title(p.title) else "", group) if x]
    return f"{name} — {', '.join(extras)}" if extras else name


def _short_title(title: str) -> bool:
    """A title said before the name ("Dr", "Maître"), rather than a job description."""
    return fold(title) in HONORIFICS or fold(title) in {"mme", "m", "mr", "mrs", "ms"}


def _title_words(p: Person) -> tuple[str, ...]:
    return tuple(fold(p.title).split())


def _words(text: str, weight: float) -> list[tuple[str, float]]:
    parts = fold(text).split()
    out = [(w, weight) for w in parts]
    if len(parts) > 1:
        out.append(("".join(parts), weight))  # "Le Goff" is also typed "legoff"
    return out


def _person_words(p: Person, group: str) -> list[tuple[str, float]]:
    return [
        *_words(p.first_name, NAME),
        *_words(p.last_name, NAME),
        *[(w, TITLE) for w in fold(p.title).split() if w not in HONORIFICS],
        *[(w, GROUP) for w in fold(group).split() if w not in COURTESY],
    ]


def _query_words(text: str) -> tuple[list[str], tuple[str, ...]]:
    """The words that name someone, and the title words hinted by honorifics."""
    words = fold(text).split()
    hints = tuple(h for w in words for h in HONORIFICS.get(w, ()))
    meaningful = [w for w in words if w not in COURTESY and w not in HONORIFICS]
    # Each word costs a fuzzy pass over the vocabulary: a request is a few words, so a pasted
    # paragraph is cut (repeats dropped) rather than let one search take seconds.
    return list(dict.fromkeys(meaningful or words))[:MAX_QUERY_WORDS], hints
