"""The services' errors said in the page's language.

A service words its error with ``says(template, **values)`` (``errors.py``): the English text
the API, the CLI and the logs show, which keeps its template and values. A page translates the
template through its catalogue (``make messages`` extracts every ``says``), then puts the same
values back; a value that is itself said (a reason inside a message) is said too. The values
(what was typed, a key, a field's name) are never translated. A message made without ``says``
is shown as the service wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accueil.errors import Problem, Said

Translate = Callable[..., str]
_DEEPEST = 4  # reasons inside reasons: a few levels at most


def said(text: Any, _: Translate, depth: int = 0) -> str:
    """``text``, a service's message, in the language of ``_``."""
    if not isinstance(text, Said) or depth > _DEEPEST:
        return str(text)
    values = {
        k: said(v, _, depth + 1) if isinstance(v, Said) else v for k, v in text.values.items()
    }
    translated = _(text.template)  # then the values: a value may be named like _'s own argument
    try:
        return translated % values if values else translated
    except (KeyError, ValueError, TypeError):  # a translation whose fields do not fit
        return str(text)


def where(problem: Problem, _: Translate) -> str:
    """Where a problem is, in the page's language: "people.csv, line 3, column 'phone'"."""
    parts = [problem.file] if problem.file and problem.file != "<input>" else []
    if problem.line is not None:
        parts.append(_("line %(n)s", n=problem.line))
    if problem.column:
        parts.append(_("column %(name)s", name=repr(problem.column)))
    elif problem.field:
        parts.append(_("field %(name)s", name=repr(problem.field)))
    return ", ".join(parts)
