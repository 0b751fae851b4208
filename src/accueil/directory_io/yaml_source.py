"""Reading a YAML directory file, so every value keeps its real line.

Scalars are kept as the text that was written (``0140000000`` stays a string, not an octal
integer; ``no`` stays the word the field reader understands), and a key written twice in one
mapping is a problem instead of silently keeping the last one. The file is read by the one
safe loader (``core.safe_yaml``): an alias bomb, a tag that is not plain data or an empty file
is a problem rather than a hang, a guess or "nothing to change".
"""

from __future__ import annotations

from accueil.core.safe_yaml import Limits, load_yaml
from accueil.directory_io.records import Kind, Record, records_from_document
from accueil.directory_io.sections import Entry, entries_from_document
from accueil.errors import Problem, ValidationFailed, says

# A directory of 100,000 people is some 25 MB of YAML; the operator's whole export stays far
# below this.
LIMITS = Limits(max_chars=500_000_000)
EXPECTED = says("the sections accounts, groups, people, numbers and agents")


def read_yaml(text: str, source: str) -> tuple[list[Record], list[Problem], set[Kind]]:
    """The records of a YAML document ``{accounts: [...], people: [...], ...}``."""
    records, _, problems, kinds = read_operator_yaml(text, source)
    return records, problems, kinds


def read_operator_yaml(
    text: str, source: str
) -> tuple[list[Record], list[Entry], list[Problem], set[Kind]]:
    """The directory's records and the operator's other entries (rules, scripts…)."""
    try:
        document = load_yaml(
            text, source, limits=LIMITS, typed=False, expected=EXPECTED, key_word="field"
        )
    except ValidationFailed as exc:
        return [], [], exc.problems, set()
    records, problems, kinds = records_from_document(document.data, source, document.lines)
    entries, more = entries_from_document(document.data, source, document.lines)
    return records, entries, document.duplicates + problems + more, kinds
