"""The words around names: courtesy words, honorifics, particles, first-name variants.

English nicknames come from the ``nicknames`` package (a hand-curated dataset: Bill/William,
Kate/Catherine, Peggy/Margaret); French variants and short forms (Steph, Manu, Jean-Phi, JP)
and the names that cross the Channel (Jean/John, Guillaume/William) are a short list of our own,
below. Everything is folded (``fold``) and joined without spaces ("jeanphilippe").
"""

from __future__ import annotations

from functools import lru_cache

from nicknames import NickNamer

from accueil.core.phonetic import fold


def _words_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words a caller wraps a name in. Removed from the query unless nothing else is left.
COURTESY = _words_of(
    """
    madame monsieur mademoiselle mme mmes mlle mr mrs ms miss mister sir madam je voudrais
    parler a au aux avec la le les l d de du des en chez pour service please i would like to
    speak with the in of from at for department dept svp bonjour hello is there can call who
    est ce que il elle passer joindre merci thanks thank you could may put through
    """
)
# Honorifics that point at a title: "Dr Nguyen" prefers the Nguyen whose title says so.
_DOCTOR = ("dr", "docteur", "doctor", "medecin")
_LAWYER = ("maitre", "avocat", "avocate", "notaire", "me")
_PROFESSOR = ("professeur", "pr", "prof", "professor")
HONORIFICS = {
    "dr": _DOCTOR,
    "docteur": _DOCTOR,
    "doctor": _DOCTOR,
    "maitre": _LAWYER,
    "me": _LAWYER[:-1],
    "professeur": _PROFESSOR,
    "pr": _PROFESSOR,
    "prof": _PROFESSOR,
    "professor": _PROFESSOR,
}
# Short titles said before a name rather than a job ("Mme Roux", "Dr Nguyen").
SHORT_TITLES = frozenset(HONORIFICS) | {"mme", "m", "mr", "mrs", "ms"}

# Particles: said apart, written together or not (Le Roux/Leroux, De la Tour/Delatour,
# O'Brien/Obrien, Mac/Mc). Canonical forms make Mac, Mc and M' one, and St, Saint one.
PARTICLES = _words_of(
    """
    le la les l de du des d van von der den ter ten mac mc o saint sainte st ste san santa
    da di do dos das del della dei el al ben bin ibn ould abu bou ait
    """
)
CANONICAL = {"mac": "mc", "st": "saint", "ste": "sainte"}
# A name may begin with these written together ("Leroux", "Delatour", "Mcdonald"): split off,
# the rest is also a word of the name (weighted a little lower).
JOINED_PREFIXES = (
    "dela",
    "des",
    "de",
    "du",
    "le",
    "la",
    "mc",
    "van",
    "von",
    "saint",
)  # longest first

# French variants and short forms, and the same name across languages: each line is one name's
# forms, the written form first. Folded, hyphens removed.
_FRENCH_VARIANTS = """
jeanphilippe jeanphi jp
jeanpierre jp
jeanpaul jp
jeanbaptiste jb
jeanfrancois jf
jeanchristophe jc
jeanclaude jc
jeanmarc jm
jeanmichel jm
jeanluc jl
jeanlouis jl
jeanyves jy
pierreyves py
marieclaude mc
annesophie
marielaure
stephane steph stef
stephanie steph stef fanny
emmanuel manu
emmanuelle manue manu
christophe chris kiki
christine chris kiki
christian chris
frederic fred
frederique fred
nicolas nico
nicole nico
dominique dom
alexandre alex
alexandra alex
alexis alex
sebastien seb
benjamin ben
benoit ben
catherine cathy cath cathie
isabelle isa babeth
elisabeth babeth elise lisa
francoise fanfan
thomas tom thom
maxime max
maximilien max
mathieu matt mat
matthieu matt mat
philippe phil flip
valerie val
valentin val
patrick pat
patricia pat
olivier oli
caroline caro
charlotte cha lolotte
virginie virgi
guillaume guigui
jerome jerem
jeremy jerem
raphael raph
gabriel gab gaby
gabrielle gaby
sylvain sylv
sylvie sylv
josephine jo josy
joseph jo jojo
laurence lolo
laurent lolo
mohamed momo mohammed muhammad
abdelkader kader
abderrahmane abdou
fatima fatou
aminata ami
mamadou madou
gwenael gwen
gwendoline gwen
yannick yann
loic lo
jean john yann ian ivan juan joao jan
pierre peter pedro piotr pietro
guillaume william
jacques james jacob jaime
etienne stephen steven esteban
michel michael mike miguel michal
henri henry enrique
louis lewis luis
charles carl karl carlos
antoine anthony antonio tony
francois francis frank francisco
catherine katherine kathryn katarzyna
jeanne joan jane joanna
marie mary maria marianne
anne ann anna hanna hannah
helene helen elena
siobhan shivaun shevaun shivon
niamh neve neeve niav
aoife eefa eva ifa
saoirse seersha sersha
caoimhe keeva kiva
mhairi vari varie vary
eilidh ailie aylee eily
ruaridh rory ruairi rorie
padraig patrick podraig
ciaran kieran keiran
sean shaun shawn shane
seamus james shamus
eoin owen
grainne grania
"""
# Job titles and departments as said on the phone, and what they stand for.
_SHORT_TITLES_SAID = """
kinesitherapeute kine kines
comptabilite compta
comptable compta
ressourceshumaines rh drh
informatique info dsi it
directeurgeneral dg pdg
directeurfinancier daf
secretaire secretariat
veterinaire veto
orthophoniste ortho
pharmacienne pharma
pharmacien pharma
juridique juriste
logistique logisticien
"""


def _forms(text: str) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for line in text.split("\n"):
        forms = line.split()
        for form in forms:
            out.setdefault(form, set()).update(f for f in forms if f != form)
    return {k: frozenset(v) for k, v in out.items()}


_french_variants = lru_cache(maxsize=1)(lambda: _forms(_FRENCH_VARIANTS))
_titles_said = lru_cache(maxsize=1)(lambda: _forms(_SHORT_TITLES_SAID))


@lru_cache(maxsize=1)
def _english() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=16384)
def first_name_variants(word: str) -> frozenset[str]:
    """Other forms of a (folded, joined) first name: nicknames both ways, French short forms,
    the same name in another language. Empty when none is known."""
    found = set(_french_variants().get(word, ()))
    english = _english()
    canonicals = english.canonicals_of(word)
    found |= canonicals | english.nicknames_of(word)
    for canonical in canonicals:  # Katie → Katy → Katherine
        found |= english.canonicals_of(canonical)
    found.discard(word)
    return frozenset(fold(f).replace(" ", "") for f in found)


def titles_said(word: str) -> frozenset[str]:
    """What a job or department said short stands for ("kiné", "compta", "RH"), and back."""
    return _titles_said().get(word, frozenset())
