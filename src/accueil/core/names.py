"""Names as written in a directory and as said by a caller: particles, compounds, spellings.

A directory writes "Le Roux", "Leroux", "De la Tour", "MacDonald", "O'Brien", "Jean-Pierre"; a
caller says "le roux", "delatour", "mc donald", "obrien", "J P". Both sides are cut into the same
forms: each word, the words joined ("legoff"), the name without its particles ("tour"), Mac and
M' as Mc, St as Saint, letters spelled one by one joined back ("k o w a l s k i").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from accueil.core.phonetic import fold
from accueil.core.vocabulary import (
    CANONICAL,
    COURTESY,
    HONORIFICS,
    JOINED_PREFIXES,
    PARTICLES,
    first_name_variants,
    titles_said,
)

MAX_QUERY_WORDS = 12
SPLIT_WEIGHT = 0.85  # "roux" found inside "Leroux": a little less than the name as written
_WITHOUT_PARTICLE = 0.97  # "van der Berg" heard, "Berg" found: a little less than "vanderberg"
_WITHOUT_COURTESY = 0.99  # "le roux" heard: "Leroux" first, "Roux" just behind
_VARIANT = 0.92  # "Bill" heard, "William" written
_MAC = re.compile(r"^mac(?=[^aeiouy])")
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True)
class Form:
    """One way to read what the caller said: folded text without spaces, and how much a match
    on it counts (1 for the words as said)."""

    text: str
    factor: float = 1.0
    variant: bool = False  # a first-name variant: matched exactly, never by sound


@dataclass(frozen=True)
class Slot:
    """A word (or a particle and its name) the caller said, and the forms it is matched by."""

    said: str
    forms: tuple[Form, ...]


def _canonical(token: str) -> str:
    return CANONICAL.get(token) or _MAC.sub("mc", token)


@lru_cache(maxsize=65536)
def name_words(text: str) -> tuple[tuple[str, float], ...]:
    """The words a directory name is found by, with their weight (1 for the name as written).

    "de la Tour" → de, la, tour, delatour, latour; "Leroux" → leroux, roux (lower);
    "MacDonald" → mcdonald; "Saint-Exupéry" → saint, exupery, saintexupery.
    """
    tokens = [_canonical(t) for t in fold(text).split()]
    out: dict[str, float] = {}

    def add(word: str, weight: float) -> None:
        if word and weight > out.get(word, 0.0):
            out[word] = weight

    for i, token in enumerate(tokens):
        add(token, 1.0)
        if i < len(tokens) - 1 and (token in PARTICLES or len(token) == 1):
            add("".join(tokens[i + 1 :]), 1.0)  # "de la Tour" is also "latour"
        for rest in _without_joined_particle(token):
            add(rest, SPLIT_WEIGHT)  # "Leroux" is also heard "Roux" after "le"
    if len(tokens) > 1:
        add("".join(tokens), 1.0)  # "Le Goff" is also typed "legoff"
    return tuple(out.items())


def _without_joined_particle(token: str) -> list[str]:
    """ "leroux" → roux; "delatour" → tour, latour; never "lambert" → mbert."""
    prefix = next((p for p in JOINED_PREFIXES if token.startswith(p)), "")
    rest = token[len(prefix) :]
    if not prefix or len(rest) < 4 or not _syllable_start(rest):
        return []
    return [rest, token[2:]] if prefix == "dela" else [rest]


def _syllable_start(word: str) -> bool:
    """A consonant then a vowel (or l, r, h): how a name can begin ("roux", "blanc")."""
    return word[0] not in _VOWELS and (word[1] in _VOWELS or word[1] in "lrh")


def query_slots(text: str) -> tuple[list[Slot], tuple[str, ...]]:
    """The words that name someone, as slots of forms, and the title words hinted by honorifics
    ("Dr Nguyen" hints docteur, médecin…)."""
    tokens = _spelled_out(fold(text).split())
    hints = tuple(h for t in tokens for h in HONORIFICS.get(t, ()))
    slots: list[Slot] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        end = _particle_run_end(tokens, i)
        if end > i:
            slots.append(_particle_slot(tokens[i : end + 1]))
            i = end + 1
        else:
            if token not in COURTESY and token not in HONORIFICS:
                slots.append(_word_slot(token))
            i += 1
    if not slots:  # only courtesy words ("Madame Le"): search them as they are
        slots = [_word_slot(t) for t in tokens]
    # Each slot costs a fuzzy pass over the vocabulary: a request is a few words, so a pasted
    # paragraph is cut (repeats dropped) rather than let one search take seconds.
    unique = {s.said: s for s in slots}
    return list(unique.values())[:MAX_QUERY_WORDS], hints


def _spelled_out(tokens: list[str]) -> list[str]:
    """Letters spelled one by one ("K O W A L S K I", "J P") joined back into a word."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        out.extend(["".join(run)] if len(run) >= 2 else run)
        run = []
        if token:
            out.append(token)
    return out


def _particle_run_end(tokens: list[str], start: int) -> int:
    """The index of the name that closes a run of particles starting at ``start`` ("de la
    Tour", "O Brien", "Mc Donald"), or ``start`` when there is none."""
    end = start
    while end < len(tokens) and (tokens[end] in PARTICLES or len(tokens[end]) == 1):
        end += 1
    if end == start or end >= len(tokens):
        return start
    closing = tokens[end]
    if closing in COURTESY or closing in HONORIFICS:
        return start
    return end


def _particle_slot(run: list[str]) -> Slot:
    canonical = [_canonical(t) for t in run]
    courtesy = all(t in COURTESY or t == "m" for t in run[:-1])
    dropped = _WITHOUT_COURTESY if courtesy else _WITHOUT_PARTICLE
    forms = [Form("".join(canonical[k:]), 1.0 if k == 0 else dropped) for k in range(len(run))]
    if courtesy:  # "la kiné", "le vétérinaire": the word after an article, with its variants
        forms += [Form(f.text, f.factor * dropped, f.variant) for f in _variants(run[-1])]
    return Slot(" ".join(run), tuple(forms))


def _word_slot(token: str) -> Slot:
    forms = [Form(token)]
    if (canonical := _canonical(token)) != token:
        forms.append(Form(canonical))
    return Slot(token, (*forms, *_variants(token)))


def _variants(token: str) -> list[Form]:
    forms = [Form(v, _VARIANT, variant=True) for v in sorted(first_name_variants(token))]
    return forms + [Form(t, variant=True) for t in sorted(titles_said(token))]
