"""The pages' languages: English in the templates, French from ``locale/fr/LC_MESSAGES``.

The catalogue is the gettext ``.po`` file itself, read with Babel and compiled in memory when the
process first needs it: no compiled ``.mo`` in the repository and no build step. Which language a
page is in: the one the user picked (a cookie), else their own (an employee's first language, a
client admin's account's), else the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
LOCALE = Path(__file__).parent / "locale"
DOMAIN = "messages"

Translate = Callable[..., str]


def catalogue_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English, the templates' language: none)."""
    path = catalogue_path(lang)
    if lang == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalogue = read_po(po, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translator(lang: str) -> Translate:
    """``_("Until %(time)s", time=…)``: the message in ``lang``, then its fields filled in."""
    table = translations(lang)

    def _(message: str, **fields: object) -> str:
        text = table.gettext(message)
        return text % fields if fields else text

    return _


def pick(chosen: str | None, own: str | None, accept: str | None) -> str:
    """The page's language: chosen, else the user's own, else the browser's, else English."""
    for lang in (chosen, own):
        if lang in LANGUAGES:
            return lang
    for part in (accept or "").split(","):
        lang = part.split(";")[0].strip().lower()[:2]
        if lang in LANGUAGES:
            return lang
    return DEFAULT
