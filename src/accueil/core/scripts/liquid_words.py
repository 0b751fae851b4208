"""python-liquid's own words (a script's syntax error), kept with a template.

liquid words its errors in English, from a small set of shapes ("expected X, found Y",
"unexpected tag 'T'"…). Where a message has one of these shapes, it is made again with
``says`` (the same English, checked) so that a page can say it in its language; any other
message stays as liquid wrote it.
"""

from __future__ import annotations

import re

from liquid.exceptions import LiquidError, LiquidSyntaxError

from accueil.errors import N_, Said

_WORDS = frozenset(
    {
        N_("end of file"),
        N_("end of expression"),
        N_("a primitive expression"),
        N_("an identifier"),
        N_("word"),
        N_("missing expression"),
        N_("missing or unexpected path segment"),
        N_("comment tag was never closed"),
    }
)
_SHAPES = (
    (re.compile(r"expected tag (?P<tag>\w+), found (?P<found>.+)"),
     N_("expected tag %(tag)s, found %(found)s")),
    (re.compile(r"expected (?P<expected>.+), found (?P<found>.+)"),
     N_("expected %(expected)s, found %(found)s")),
    (re.compile(r"unexpected tag (?P<tag>'[^']*')"), N_("unexpected tag %(tag)s")),
    (re.compile(r"unexpected (?P<token>.+)"), N_("unexpected %(token)s")),
)  # fmt: skip


def liquid_words(exc: LiquidError) -> str:
    """The message of a liquid syntax error, with its template when it has a known shape."""
    message = str(getattr(exc, "message", None) or exc)
    if not isinstance(exc, LiquidSyntaxError):
        return message
    if message in _WORDS:
        return Said(message, {})
    for shape, template in _SHAPES:
        found = shape.fullmatch(message)
        if found:
            values = {k: _word(v) for k, v in found.groupdict().items()}
            said = Said(template, values)
            return said if said == message else message  # the English exactly as liquid's
    return message


def _word(text: str) -> str:
    return Said(text, {}) if text in _WORDS else text
