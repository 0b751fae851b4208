"""Reading a YAML directory file from its node tree, so every value keeps its real line.

Scalars are kept as the text that was written (``0140000000`` stays a string, not an octal
integer; ``no`` stays the word the field reader understands), and a key written twice in one
mapping is a problem instead of silently keeping the last one. Aliases are expanded within a
budget that grows with the file's size, so an alias bomb or an alias inside itself is a problem
rather than a hang or a crash.
"""

from __future__ import annotations

import yaml

from accueil.directory_io.records import Kind, Record, records_from_document
from accueil.errors import Problem

_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Values a file may expand to, per character of it: merge keys (`<<: *defaults`) expand a few
# values from a few characters, an alias bomb millions from a line.
_VALUES_PER_CHARACTER = 2
_MINIMUM_BUDGET = 10_000


class _Unreadable(Exception):
    """The node tree cannot be expanded: an alias inside itself, or too many values."""

    def __init__(self, reason: str, node: yaml.Node) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = node.start_mark.line + 1


def read_yaml(text: str, source: str) -> tuple[list[Record], list[Problem], set[Kind]]:
    """The records of a YAML document ``{accounts: [...], people: [...], ...}``."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = f"not valid YAML: {exc.problem or exc.context}"
        return [], [Problem(reason, file=source, line=line)], set()
    except yaml.YAMLError as exc:
        return [], [Problem(f"not valid YAML: {exc}", file=source)], set()
    if node is None:
        return [], [], set()
    tree = _Tree(source, _Expansion(_MINIMUM_BUDGET + _VALUES_PER_CHARACTER * len(text)))
    try:
        document = tree.value(node, ())
    except _Unreadable as exc:
        return [], [Problem(exc.reason, file=source, line=exc.line)], set()
    records, problems, kinds = records_from_document(document, source, tree.positions)
    return records, tree.problems + problems, kinds


class _Expansion:
    """What reading a document may still expand, shared by the trees of its merge keys."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.open: set[int] = set()  # the collections being read: an alias to one is a loop

    def enter(self, node: yaml.Node) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise _Unreadable(
                "the aliases of this file expand to too many values (an alias bomb?): "
                "write the entries out instead",
                node,
            )
        if id(node) in self.open:
            raise _Unreadable("this collection holds an alias to itself: it never ends", node)


class _Tree:
    def __init__(self, source: str, expansion: _Expansion) -> None:
        self.source = source
        self.expansion = expansion
        self.positions: dict[tuple[str | int, ...], int] = {}
        self.problems: list[Problem] = []

    def value(self, node: yaml.Node, path: tuple[str | int, ...]) -> object:
        self.expansion.enter(node)
        self.positions.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return None if node.tag == _NULL else str(node.value)
        self.expansion.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            return None
        finally:
            self.expansion.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...]) -> dict[str, object]:
        out: dict[str, object] = {}
        merged: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:  # "<<: *defaults" fills the fields not written here
                merged.update(self.merge(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem("a field name must be plain text", self.source, line))
                continue
            name = str(key_node.value)
            if name in out:
                first = self.positions[(*path, name)]
                reason = f"the field {name!r} is written twice (first on line {first})"
                self.problems.append(Problem(reason, self.source, line, field=name))
                continue
            self.positions[(*path, name)] = line
            out[name] = self.value(value_node, (*path, name))
        return {**merged, **out}

    def merge(self, node: yaml.Node, path: tuple[str | int, ...]) -> dict[str, object]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out: dict[str, object] = {}
        for item in reversed(sources):  # the first mapping listed wins
            if isinstance(item, yaml.MappingNode):
                self.expansion.enter(item)
                self.expansion.open.add(id(item))
                try:
                    out.update(_Tree(self.source, self.expansion).mapping(item, path))
                finally:
                    self.expansion.open.discard(id(item))
        return out
