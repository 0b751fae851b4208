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

from doublemetaphone import doublemetaphone

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
        (r"ck", "k"),
        # c and g soften before e, i, y — also before the final e about to be dropped:
        # Maurice /moris/, Serge /serj/, George, Alice.
        (r"c(?=[eiy])", "s"),  # Cécile, Lucie
        (r"g(?=[eiy])", "j"),  # Gérard / Jérard, Georges
        (r"(?<=.)e$", ""),  # Philippe / Filip, Michelle: a silent final e
        (r"q(u)?", "k"),  # Jacques, Quentin
        (r"c", "k"),  # Catherine
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


@lru_cache(maxsize=131072)  # names, titles and groups repeat: Marie, Comptabilité, Directeur
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


@lru_cache(maxsize=65536)
def english_keys(word: str) -> tuple[str, ...]:
    """The Double Metaphone keys of one name (one or two): how an English speaker spells by
    ear — Reid/Read ``RT``, Maurice/Morris ``MRS``, Reece/Rhys ``RS``, Siobhan ``SPN``/``XPN``."""
    text = "".join(c for c in fold(word) if c.isalpha())
    if not text:
        return ()
    return tuple(dict.fromkeys(k for k in doublemetaphone(text) if k))


# Vowel sounds, longest spelling first; what the consonant skeleton leaves out. Endings are
# read first: "eau", "aud", "ot" sound o; "et", "ez", "er", "ai" sound é; a final e is silent.
_ENDINGS = (
    (re.compile(r"(eaux?|aux?|ault|aud|ots?|os|od|oh)$"), "O"),
    (re.compile(r"(ets?|ez|er|ais?|ait|ay|ey|ee)$"), "E"),
    (re.compile(r"(?<=.)e$"), ""),
)
_VOWEL_SOUNDS = re.compile(r"eau|au|ou|oo|oi|oy|ai|ei|ay|ey|eu|oeu|ea|ee|ie|[aeiouy]")
_VOWEL_CLASS = {
    "eau": "O", "au": "O", "o": "O", "ou": "U", "oo": "U", "oi": "W", "oy": "W",
    "ai": "E", "ei": "E", "ay": "E", "ey": "E", "eu": "Œ", "oeu": "Œ",
    "ea": "I", "ee": "I", "ie": "I",
    "a": "A", "i": "I", "y": "I", "u": "Y", "e": "",
}  # fmt: skip


@lru_cache(maxsize=65536)
def vowel_key(word: str) -> str:
    """The vowel sounds of a name, in order: Rousseau and Roussot ``UO``, Rousset ``UE``.

    Used to break ties between names whose consonants agree; accents count (é, è, ê → E).
    """
    text = unicodedata.normalize("NFC", word.lower())
    text = re.sub(r"[éèêë]", "ai", text)
    text = "".join(c for c in fold(text) if c.isalpha())
    tail = ""
    for pattern, sound in _ENDINGS:
        found = pattern.search(text)
        if found:
            text, tail = text[: found.start()], sound
            break
    body = "".join(_VOWEL_CLASS[v] for v in _VOWEL_SOUNDS.findall(text))
    return body + tail


def phonetic_keys(text: str) -> tuple[str, ...]:
    """The key of each word of ``text``, skipping words with no letters."""
    return tuple(k for k in (phonetic_key(w) for w in fold(text).split()) if k)
