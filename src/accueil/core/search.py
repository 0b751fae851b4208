"""Finding anyone in a client's directory from what a caller said.

"Madame Lefèvre in accounting", "Dr Nguyen", "Bill Read", "le vétérinaire": the query is folded
(case and accents removed), stripped of courtesy words, its particles joined to their names
("le roux" → leroux), and each word is matched against the words of the directory (names with
their particles and compounds, titles, group names) five ways: exactly, as a prefix (an agent
typing), as a first-name variant or nickname (Bill → William, Steph → Stéphane), by spelling
distance (rapidfuzz) and by sound — the French key (``phonetic_key``) or the English one
(Double Metaphone), the vowels breaking ties between names whose consonants agree.

The index is built once per account (or once across all accounts, for "which client is this?"):
the directory's distinct words with, for each, the entries that contain it as numpy arrays. A
query touches only the words that match, so its cost grows with the vocabulary, not with the
number of people, and scoring is a few vectorised maximums. Each hit says why it matched.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from accueil.core.directory import Account, Group, Person
from accueil.core.names import Slot, query_slots
from accueil.core.phonetic import english_keys, phonetic_key, vowel_key
from accueil.core.search_entries import (
    LOOSE,
    Entry,
    HitKind,
    How,
    explain,
    named_entry,
    person_entry,
    words_shown,
)

__all__ = ["Availability", "Hit", "HitKind", "SearchIndex"]

# The (account key, person key) of the people shown → available now? Absent or None: unknown.
Availability = Callable[[Sequence[tuple[str, str]]], Mapping[tuple[str, str], bool | None]]
Matches = dict[int, tuple[float, How]]  # directory word id → score 0–100, how it matched

_TITLE_BONUS = 8.0
_PREFIX_MIN = 2
# Names that sound alike score 84 (78 for a one-letter key: Lee, Roy say less), plus up to 8
# for the spelling and 3 for the vowels: at most 95, under a job title said exactly (97).
_SAME_SOUND, _SAME_SHORT_SOUND, _SPELLING_SHARE = 84.0, 78.0, 0.08
_SAME_VOWELS, _SAME_LAST_VOWEL = 3.0, 1.0


@dataclass(frozen=True)
class Hit:
    """One search result: who, where, how well it matched (0–100), and why."""

    kind: HitKind
    account: str
    key: str  # person or group key; the account key for an account hit
    label: str  # what the agent reads: "Dr Anh Nguyen — Cardiologie"
    score: int
    available: bool | None = None
    why: str = ""  # "sounds like Reid; name Callum"


class SearchIndex:
    """The words of one account (or of all accounts) and where each word occurs."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries
        postings: dict[str, dict[int, tuple[float, float]]] = {}
        for entry_id, entry in enumerate(entries):
            for w in entry.words():
                slot = postings.setdefault(w.word, {})
                exact, loose = slot.get(entry_id, (0.0, 0.0))
                slot[entry_id] = (max(exact, w.exact), max(loose, w.loose))
        self._vocab = sorted(postings)
        self._ids: list[npt.NDArray[np.int32]] = []
        self._exact: list[npt.NDArray[np.float32]] = []
        self._loose: list[npt.NDArray[np.float32]] = []
        for word in self._vocab:
            slot = postings[word]
            self._ids.append(np.fromiter(slot.keys(), dtype=np.int32, count=len(slot)))
            weights = np.array(list(slot.values()), dtype=np.float32).reshape(-1, 2)
            self._exact.append(weights[:, 0].copy())
            self._loose.append(weights[:, 1].copy())
        self._word_id = {w: i for i, w in enumerate(self._vocab)}
        by_sound: dict[str, list[int]] = {}
        self._english: dict[str, list[int]] = {}
        for i, word in enumerate(self._vocab):
            by_sound.setdefault(phonetic_key(word), []).append(i)
            for key in english_keys(word):
                self._english.setdefault(key, []).append(i)
        by_sound.pop("", None)
        self._vowels = [vowel_key(word) for word in self._vocab]
        self._by_sound = by_sound
        self._sounds = [k for k in by_sound if len(k) >= 3]  # close keys: long enough to say
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
        entries: list[Entry] = []
        group_names = {(g.account, g.key): g.name for g in groups}
        for (account_key, key), name in group_names.items():
            entries.append(named_entry(HitKind.GROUP, account_key, key, name, name))
        for p in people:
            if p.active:
                entries.append(person_entry(p, group_names.get((p.account, p.group), "")))
        for a in accounts if with_accounts else ():
            label = a.answer_name or a.name
            entries.append(named_entry(HitKind.ACCOUNT, a.key, a.key, label, a.name, a.answer_name))
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocab)

    def search(
        self, text: str, *, limit: int = 10, availability: Availability | None = None
    ) -> list[Hit]:
        """The best ``limit`` entries for what the caller said, best first.

        Availability is asked once, for the entries shown; at equal score, people known to be
        available come first among them.
        """
        slots, hints = query_slots(text)
        if not slots or not self._entries:
            return []
        total = np.zeros(len(self._entries), dtype=np.float32)
        for slot in slots:
            total += self._slot_scores(slot)
        total /= len(slots)
        return self._rank(total, slots, hints, limit, availability)

    def _slot_scores(self, slot: Slot) -> npt.NDArray[np.float32]:
        best = np.zeros(len(self._entries), dtype=np.float32)
        ids: list[npt.NDArray[np.int32]] = []
        values: list[npt.NDArray[np.float32]] = []
        for form in slot.forms:
            for word_id, (score, how) in self._matches(form.text, form.variant).items():
                weights = self._loose[word_id] if how in LOOSE else self._exact[word_id]
                ids.append(self._ids[word_id])
                values.append(weights * np.float32(score * form.factor))
        if ids:  # one scatter for every matched word: many tiny numpy calls cost more
            np.maximum.at(best, np.concatenate(ids), np.concatenate(values))
        return best

    def _matching_words(self, word: str, variant: bool) -> Matches:
        """Directory words that match one form of a query word, with a score 0–100."""
        found: Matches = {}

        def offer(word_id: int, score: float, how: How) -> None:
            if score > found.get(word_id, (0.0, How.EXACT))[0]:
                found[word_id] = (score, how)

        exact = self._word_id.get(word)
        if variant:  # Bill → William: the variant must be written as it is
            if exact is not None:
                offer(exact, 100.0, How.VARIANT)
            return found
        if exact is not None:
            offer(exact, 100.0, How.EXACT)
        if len(word) >= _PREFIX_MIN:
            start = bisect.bisect_left(self._vocab, word)
            for i in range(start, min(start + 200, len(self._vocab))):
                candidate = self._vocab[i]
                if not candidate.startswith(word):
                    break
                offer(i, 86.0 + 10.0 * len(word) / len(candidate), How.PREFIX)
        cutoff = 82.0 if len(word) <= 4 else 74.0
        for _, score, i in process.extract(
            word, self._vocab, scorer=fuzz.ratio, score_cutoff=cutoff, limit=40
        ):
            offer(i, float(score) * 0.97, How.SPELLING)
        for word_id, score in self._sound_alike(word).items():
            offer(word_id, score, How.SOUND)
        return found

    def _sound_alike(self, word: str) -> dict[int, float]:
        """Words that sound like ``word`` by the French key or an English one: the same key
        scores 84 (78 for a one-letter key), a close French key less; then a little for the
        spelling and for the vowels, so the closest of the names that sound alike leads."""
        bases: dict[int, float] = {}
        key = phonetic_key(word)
        for word_id in self._by_sound.get(key, ()):
            bases[word_id] = _SAME_SOUND if len(key) >= 2 else _SAME_SHORT_SOUND
        for english in english_keys(word):
            for word_id in self._english.get(english, ()):
                base = _SAME_SOUND if len(english) >= 2 else _SAME_SHORT_SOUND
                bases[word_id] = max(base, bases.get(word_id, 0.0))
        if len(key) >= 3:
            for _, score, i in process.extract(
                key, self._sounds, scorer=fuzz.ratio, score_cutoff=80.0, limit=10
            ):
                for word_id in self._by_sound[self._sounds[i]]:
                    bases.setdefault(word_id, 0.76 * float(score))
        vowels, last = vowel_key(word), vowel_key(word)[-1:]
        out = {}
        for word_id, base in bases.items():
            sounds = self._vowels[word_id]
            if sounds == vowels:
                base += _SAME_VOWELS
            elif sounds[-1:] == last:
                base += _SAME_LAST_VOWEL
            out[word_id] = base + _SPELLING_SHARE * fuzz.ratio(word, self._vocab[word_id])
        return out

    def _rank(
        self,
        total: npt.NDArray[np.float32],
        slots: list[Slot],
        hints: tuple[str, ...],
        limit: int,
        availability: Availability | None,
    ) -> list[Hit]:
        pool = min(len(total), max(limit * 4, 40))
        top = np.argpartition(-total, pool - 1)[:pool] if pool < len(total) else np.arange(pool)
        scored: list[tuple[int, float, Entry]] = []
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
        said = [(slot.said, self._slot_matches(slot)) for slot in slots]
        hits = [
            (
                Hit(
                    e.kind, e.account, e.key, e.label, score,
                    known.get((e.account, e.key)), self._why(e, said, hints),
                ),
                raw,
            )
            for score, raw, e in shown
        ]  # fmt: skip
        # At equal score, people known to be available come first.
        hits.sort(key=lambda h: (-h[0].score, _availability_rank(h[0].available), -h[1]))
        return [hit for hit, _ in hits]

    def _slot_matches(self, slot: Slot) -> dict[str, list[tuple[float, How]]]:
        """Every directory word one slot matches, by any of its forms: (score × form, how)."""
        out: dict[str, list[tuple[float, How]]] = {}
        for form in slot.forms:
            for word_id, (score, how) in self._matches(form.text, form.variant).items():
                out.setdefault(self._vocab[word_id], []).append((score * form.factor, how))
        return out

    def _why(
        self,
        entry: Entry,
        said: list[tuple[str, dict[str, list[tuple[float, How]]]]],
        hints: tuple[str, ...],
    ) -> str:
        """Why ``entry`` matched: for each slot said, the best match among its words."""
        words = words_shown(entry)
        reasons: list[str] = []
        for text, matches in said:
            best: tuple[float, str] = (0.0, "")
            for w in words:
                for score, how in matches.get(w.word, ()):
                    value = score * (w.loose if how in LOOSE else w.exact)
                    if value > best[0]:
                        best = (value, explain(how, w.field, w.shown, text))
            if best[1] and best[1] not in reasons:
                reasons.append(best[1])
        if hints and any(t in hints for t in entry.titles):
            reasons.append("title as said")
        return "; ".join(reasons)


def _availability_rank(available: bool | None) -> int:
    return 0 if available else (1 if available is None else 2)
