"""A phonetic key for French and English names as they are heard on the phone.

A caller says "Madame Lefèvre"; the agent types "lefeuvre"; the directory says "Lefebvre".
No maintained library covers French spellings (Soundex and Metaphone are English-only), so
this is a small, readable set of rewrite rules: a name is folded to ASCII, spelled as it
sounds (ph → f, c before e/i → s, ch → sh, silent final letters dropped…), then reduced to its
first sound and its consonant skeleton. Two names share a key when an agent could not tell them
apart by ear: Lefèvre/Lefebvre/Lefeuvre → "LFVR", Catherine/Katherine → "KTRN".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_VOWELS = frozenset("aeiouy")


def _rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Spelling to sound, applied in order (longer patterns before their parts)."""
    pairs = (
        (r"^mac(?=[^aeiouy])", "mc"),  # MacDonald / McDonald
        (r"^kn", "n"),  # Knight: the k is silent
        (r"^wr", "r"),  # Wright
        (r"^ngu?(?=[aeiouy])", "n"),  # Nguyen, Ngo: heard as "nuyen", "no"
        (r"^ng", "n"),
        (r"(?<=[aeiou])ill", "y"),  # Guillaume, Mireille: a y sound
        (r"gu(?=[aeiouy])", "G"),  # Guy, Guillaume: a hard g (upper case: settled)
        (r"sch", "sh"),  # Schmitt
        (r"tch", "sh"),  # Mitchell / Michel
        (r"ch", "sh"),  # Chevalier, Michel
        (r"gh(?![aeiouy])", ""),  # Wright, Knight: silent gh
        (r"ph", "f"),  # Philippe / Filip
        (r"th", "t"),  # Catherine / Katherine, Thomas
        # Silent endings, before c/q/x are rewritten: Leclerc, Dupont, Jacques, Renault.
        (r"eaux?$", "o"),  # Moreau, Rousseaux
        (r"au(lt|d|x|t)?$", "o"),  # Renault / Renaud / Reno
        (r"(?<=[aeiou])(rc|rd|rt|rs)$", "r"),  # Leclerc / Leclair, Bernard
        (r"(?<=[aeiouynr])(t|d|s|x)$", ""),  # Dupont / Dupond, Fort, Thomas: silent finals
        (r"s$", ""),
        (r"(?<=.)e$", ""),  # Philippe / Filip, Michelle: a silent final e
        (r"ck", "k"),
        (r"q(u)?", "k"),  # Jacques, Quentin
        (r"c(?=[eiy])", "s"),  # Cécile, Lucie
        (r"c", "k"),  # Catherine
        (r"g(?=[eiy])", "j"),  # Gérard / Jérard, Georges
        (r"gn", "ny"),  # Agnès
        (r"bv", "v"),  # Lefebvre: the b is silent
        (r"dt", "t"),  # Schmidt
        (r"tz", "s"),  # Katz
        (r"x", "ks"),
        (r"z", "s"),
        (r"w", "v"),  # Wagner / Vagner
        (r"v", "f"),  # Stephen / Steven, heard alike over a phone line
        (r"h", ""),  # silent in French, mostly quiet in names: Mohamed / Muhammad
    )
    return tuple((re.compile(p), r) for p, r in pairs)


_SPELLING = _rules()


def fold(text: str) -> str:
    """Lower case, accents removed, only letters, digits and single spaces kept."""
    text = text.replace("ß", "ss").replace("æ", "ae").replace("œ", "oe")
    text = text.replace("Æ", "ae").replace("Œ", "oe")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


@lru_cache(maxsize=65536)
def phonetic_key(word: str) -> str:
    """The sound of one name (a word, or a compound like "Le Goff" read as one).

    Returns an upper-case key, empty when the word has no letters.
    """
    # ç folds to c like the agent types it ("francois"), so François is heard as "frankois";
    # the spelling distance, not the key, matches "Fransois".
    text = fold(word).replace(" ", "")
    if not text.isalpha():
        text = "".join(c for c in text if c.isalpha())
    if not text:
        return ""
    for pattern, replacement in _SPELLING:
        text = pattern.sub(replacement, text)
    # Doubled letters sound single: Chevallier / Chevalier, Philippe / Filip.
    return _skeleton(re.sub(r"(.)\1+", r"\1", text.lower()))


def _skeleton(sound: str) -> str:
    """First sound, then the consonants: vowels are what a phone line blurs most."""
    if not sound:
        return ""
    head = "A" if sound[0] in _VOWELS else sound[0].upper()
    return head + "".join(c for c in sound[1:] if c not in _VOWELS).upper()


def phonetic_keys(text: str) -> tuple[str, ...]:
    """The key of each word of ``text``, skipping words with no letters."""
    return tuple(k for k in (phonetic_key(w) for w in fold(text).split()) if k)
