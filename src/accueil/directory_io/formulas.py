"""Spreadsheet formulas kept out of CSV exports, and the exact undoing of it on import.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some
read a leading tab or carriage return the same way) as a formula: ``=HYPERLINK(…)`` or
``+cmd|' /C calc'!A0`` written by a client into a name would run on the operator's machine.
Export writes such a cell with a leading quote (``'=HYPERLINK(…)``), the usual defence: a
spreadsheet shows the text, runs nothing. Import removes exactly that quote, so export then
import gives back the same values: a number written ``+33 1 40 00 00 00`` is exported as
``'+33 1 40 00 00 00`` and read back as ``+33 1 40 00 00 00``.

So that the quote is unambiguous, a value that itself starts with a quote followed by one of
those characters (or by another quote) gets one more quote; a quote followed by anything else
(``'t Hooft``) is left alone both ways.
"""

from __future__ import annotations

QUOTE = "'"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """The cell as written to a CSV file: a leading quote when a spreadsheet would run it."""
    if cell.startswith(TRIGGERS) or (cell.startswith(QUOTE) and _quoted(cell)):
        return QUOTE + cell
    return cell


def restore(cell: str) -> str:
    """The value of a cell read from a CSV file: the exporter's leading quote taken off."""
    if cell.startswith(QUOTE) and _quoted(cell):
        return cell[1:]
    return cell


def _quoted(cell: str) -> bool:
    return cell[1:2] in TRIGGERS or cell[1:2] == QUOTE
