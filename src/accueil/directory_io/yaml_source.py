"""Reading a YAML directory file from its node tree, so every value keeps its real line.

Scalars are kept as the text that was written (``0140000000`` stays a string, not an octal
integer; ``no`` stays the word the field reader understands), and a key written twice in one
mapping is a problem instead of silently keeping the last one.
"""

from __future__ import annotations

import yaml

from accueil.directory_io.records import Kind, Record, records_from_document
from accueil.errors import Problem

_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    tree = _Tree(source)
    document = tree.value(node, ())
    records, problems, kinds = records_from_document(document, source, tree.positions)
    return records, tree.problems + problems, kinds


class _Tree:
    def __init__(self, source: str) -> None:
        self.source = source
        self.positions: dict[tuple[str | int, ...], int] = {}
        self.problems: list[Problem] = []

    def value(self, node: yaml.Node, path: tuple[str | int, ...]) -> object:
        self.positions.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return None if node.tag == _NULL else str(node.value)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(child, (*path, i)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        return None

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
                out.update(_Tree(self.source).mapping(item, path))
        return out
