"""What the stores cannot keep: whole numbers past their columns (``INTEGER_MAX``,
``BIGINT_MAX``), and text with a NUL character (PostgreSQL refuses it in text; SQLite would
keep it, and the same input would then pass on one store and fail on the other) or a lone
surrogate (half of a UTF-16 pair: JSON's ``"\\ud800"``, or invalid UTF-8 in a command line,
which Python reads as such; no UTF-8 encoding exists for it).

``unstorable(value)`` walks text, lists and mappings and says where the first such character
is and why, so that an edge (the API's bodies, query and path; the CLI) refuses it by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from accueil.errors import Said, says

# The largest whole numbers the columns hold on both stores: an INTEGER (ids, versions, counts)
# is 32 bits on PostgreSQL (SQLite's hold 64), a BIGINT (the outbox's cursor, messages and their
# deliveries) 64. A larger one given as input is refused with its field, before the driver fails
# (the API's ``conventions.RowId``, the CLI's ``common.ROW_ID``).
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
_BAD = re.compile(r"[\x00\ud800-\udfff]")


def unstorable(value: object, where: str = "") -> tuple[str, Said] | None:
    """``(where, reason)`` for the first character in ``value`` no store can keep, else None;
    ``where`` grows with the list indexes and mapping keys walked (``languages[1]``)."""
    if isinstance(value, str):
        found = _BAD.search(value)
        return None if found is None else (where, _reason(found.group(), found.start()))
    if isinstance(value, Mapping):
        for key, item in value.items():
            inner = f"{where}.{key}"
            if (bad := unstorable(key, inner) or unstorable(item, inner)) is not None:
                return bad
    elif isinstance(value, list | tuple | set | frozenset):
        for n, item in enumerate(value):
            if (bad := unstorable(item, f"{where}[{n}]")) is not None:
                return bad
    return None


def _reason(char: str, at: int) -> Said:
    if char == "\x00":
        return says(
            "a NUL character (\\x00) at position %(at)s cannot be kept: remove it", at=at + 1
        )
    code = "\\u" + format(ord(char), "04x")
    return says(
        "a lone surrogate (%(code)s) at position %(at)s is not text: send valid UTF-8",
        code=code,
        at=at + 1,
    )
