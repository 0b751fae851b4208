"""The one way accueil reads YAML: directory files, rules, rotas, scripts, workloads.

PyYAML's ``safe_load`` builds whatever the aliases of a file expand to (a 978-byte "billion
laughs" file becomes a gigabyte), drops tags it does not know on the floor when a node tree is
read by hand, and calls an empty file "nothing". Here every document is composed by libyaml
(when present), then built by one walker that:

- refuses a text over ``Limits.max_chars`` before parsing it;
- counts every value it builds, aliases included, against a budget that grows with the text
  (a few values per character: merge keys expand a little, an alias bomb millions per line);
- refuses nesting deeper than ``Limits.max_depth`` and an alias to a collection inside itself;
- refuses every tag beyond YAML's plain data (text, numbers, true/false, null, lists,
  mappings): ``!!python/object/apply:os.system`` or ``!custom`` names the file, line and tag;
- refuses an empty document (blank lines and comments only);
- keeps the line of every value, and reports a key written twice in one mapping.

Pure: text in, data out. Every refusal is a ``ValidationFailed`` naming the file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from accueil.errors import Problem, ValidationFailed, says

Path = tuple[str | int, ...]

_CORE = "tag:yaml.org,2002:"
_NULL = _CORE + "null"
_STR = _CORE + "str"
_SEQ = _CORE + "seq"
_MAP = _CORE + "map"
_MERGE = _CORE + "merge"
_VALUE = _CORE + "value"  # PyYAML resolves a lone '=' to this; it is text
_NUMBERS = {_CORE + "bool", _CORE + "int", _CORE + "float"}
_TEXT_TAGS = {_STR, _VALUE, "!"}
_PLAIN_DATA = says("text, numbers, true/false, null, lists and mappings")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser; dates stay text (no implicit timestamps), so every tag that is not
    plain data was written explicitly in the file and is refused."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _CORE + "timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_BUILDER = SafeConstructor()
_CONSTRUCT: dict[str, Callable[[yaml.ScalarNode], object]] = {
    _CORE + "bool": _BUILDER.construct_yaml_bool,
    _CORE + "int": _BUILDER.construct_yaml_int,
    _CORE + "float": _BUILDER.construct_yaml_float,
}


@dataclass(frozen=True)
class Limits:
    """What one YAML text may cost. The budget of values is ``min_values`` plus
    ``values_per_char`` per character of the text, at most ``max_values``."""

    max_chars: int = 1_000_000
    max_depth: int = 64
    values_per_char: int = 2
    min_values: int = 10_000
    max_values: int | None = None

    def budget(self, text: str) -> int:
        grown = self.min_values + self.values_per_char * len(text)
        return grown if self.max_values is None else min(grown, self.max_values)


@dataclass
class YamlDocument:
    """A document read: its data, the line of each value, and what was suspicious in it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)  # 1-based, by path
    starts: dict[Path, tuple[int, int]] = field(default_factory=dict)  # with ``starts=True``
    folded: frozenset[Path] = frozenset()  # values written as folded text ('>')
    duplicates: list[Problem] = field(default_factory=list)  # keys written twice


def load_yaml(
    text: str,
    file: str = "",
    *,
    limits: Limits = Limits(),
    typed: bool = True,
    starts: bool = False,
    expected: str = "",
    key_word: str = "key",
) -> YamlDocument:
    """Read one YAML (or JSON) document within ``limits``.

    ``typed``: numbers and true/false are built as such (``False``: every scalar stays the
    text written, null aside). ``starts``: also record where each value's text starts (line,
    column), past quotes and block indicators. ``expected`` completes the empty-file message;
    ``key_word`` is what the messages call a key ("field" in a directory file).
    Raises ValidationFailed naming the file, line and reason.
    """
    if len(text) > limits.max_chars:
        reason = f"the file is too large ({len(text):,} characters; at most {limits.max_chars:,})"
        raise ValidationFailed([Problem(reason, file)])
    node = _compose(text, file)
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
        if expected:
            empty = says("the file is empty: expected %(expected)s", expected=expected)
        else:
            empty = says("the file is empty")
        raise ValidationFailed([Problem(empty, file, 1)])
    walker = _Walker(
        file, limits, typed, text.splitlines() if starts else None, limits.budget(text)
    )
    walker.key_word = key_word
    data = walker.value(node, (), 0)
    if walker.refused:
        raise ValidationFailed(walker.refused)
    return YamlDocument(
        data, walker.lines, walker.starts, frozenset(walker.folded), walker.duplicates
    )


def yaml_problem(exc: yaml.YAMLError, file: str) -> Problem:
    """A YAML syntax error as a problem with its line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    why = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
    if "nesting depth" in why:  # libyaml's own limit, beyond ours
        return Problem(says("the file is nested too deeply"), file, line)
    return Problem(says("not valid YAML: %(why)s", why=why), file, line)


def _compose(text: str, file: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ValidationFailed([yaml_problem(exc, file)]) from None
    except RecursionError:  # the pure-Python parser, when libyaml is missing
        raise ValidationFailed([Problem(says("the file is nested too deeply"), file)]) from None


class _Bomb(Exception):
    pass


class _Walker:
    def __init__(
        self, file: str, limits: Limits, typed: bool, text_lines: list[str] | None, budget: int
    ) -> None:
        self.file = file
        self.limits = limits
        self.typed = typed
        self.text_lines = text_lines
        self.budget = budget
        self.open: set[int] = set()  # collections being built: an alias to one is a loop
        self.lines: dict[Path, int] = {}
        self.starts: dict[Path, tuple[int, int]] = {}
        self.folded: set[Path] = set()
        self.duplicates: list[Problem] = []
        self.refused: list[Problem] = []
        self.key_word = "key"

    def refuse(self, reason: str, node: yaml.Node) -> None:
        self.refused.append(Problem(reason, self.file, node.start_mark.line + 1))

    def stop(self, reason: str, node: yaml.Node, path: Path = ()) -> _Bomb:
        # the top-level entry being built says where the runaway value is used; the node
        # itself may sit anywhere an anchor was defined
        line = self.lines.get(path[:1]) if path else None
        self.refused = [Problem(reason, self.file, line or node.start_mark.line + 1)]
        return _Bomb()

    def value(self, node: yaml.Node, path: Path, depth: int) -> Any:
        try:
            return self._value(node, path, depth)
        except _Bomb:
            return None

    def _value(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self.stop(
                "the aliases of this file expand to too many values (an alias bomb?): "
                "write the entries out instead",
                node,
                path,
            )
        if depth > self.limits.max_depth:
            depth_reason = (
                f"the file is nested too deeply (more than {self.limits.max_depth} levels)"
            )
            raise self.stop(depth_reason, node)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if self.text_lines is not None and path not in self.starts:
            self.starts[path] = _start(node, self.text_lines)
        if isinstance(node, yaml.ScalarNode):
            if node.style == ">":
                self.folded.add(path)
            return self.scalar(node)
        if id(node) in self.open:
            raise self.stop("this collection holds an alias to itself: it never ends", node)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self.check_tag(node, _SEQ)
                return [self._value(c, (*path, i), depth + 1) for i, c in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)  # compose makes only these three
            self.check_tag(node, _MAP)
            return self.mapping(node, path, depth)
        finally:
            self.open.discard(id(node))

    def check_tag(self, node: yaml.Node, wanted: str) -> None:
        if node.tag != wanted:
            self.refuse(_tag_reason(node.tag), node)

    def scalar(self, node: yaml.ScalarNode) -> object:
        tag = node.tag
        if tag == _NULL:
            return None
        if tag in _TEXT_TAGS:
            return str(node.value)
        if tag not in _NUMBERS:
            self.refuse(_tag_reason(tag), node)
            return None
        if not self.typed:
            return str(node.value)
        try:
            return _CONSTRUCT[tag](node)
        except (ValueError, yaml.YAMLError):  # e.g. an integer of 5,000 digits
            self.refuse(f"{str(node.value)[:40]!r} is not a number accueil can read", node)
            return None

    def mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:  # "<<: *defaults" fills the keys not written here
                merged.update(self.merge(value_node, path, depth))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.refuse("a key must be plain text, not a list or a mapping", key_node)
                continue
            key = self.scalar(key_node)
            if key in out:
                first = self.lines.get((*path, str(key_node.value)))
                if self.key_word == "field":
                    reason = says(
                        "the field %(key)r is written twice (first on line %(first)s)",
                        key=key,
                        first=first,
                    )
                else:
                    reason = says(
                        "the key %(key)r is written twice (first on line %(first)s)",
                        key=key,
                        first=first,
                    )
                line = key_node.start_mark.line + 1
                self.duplicates.append(Problem(reason, self.file, line, field=str(key)))
                continue
            child = (*path, str(key_node.value))
            self.lines[child] = key_node.start_mark.line + 1
            out[key] = self._value(value_node, child, depth + 1)
        return {**merged, **out}

    def merge(self, node: yaml.Node, path: Path, depth: int) -> dict[Any, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out: dict[Any, Any] = {}
        for item in reversed(sources):  # the first mapping listed wins
            if not isinstance(item, yaml.MappingNode):
                self.refuse("a merge key ('<<') takes a mapping or a list of mappings", item)
                continue
            # the merged keys take their lines from where they were written, not this path
            lines, starts = self.lines, self.starts
            self.lines, self.starts = {}, {}
            try:
                built = self._value(item, path, depth + 1)
            finally:
                self.lines, self.starts = lines, starts
            out.update(built)
        return out


def _tag_reason(tag: str) -> str:
    shown = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
    return says(
        "the tag %(tag)s is not plain data; accueil reads only %(plain)s: remove it",
        tag=shown,
        plain=_PLAIN_DATA,
    )


def _start(node: yaml.Node, lines: list[str]) -> tuple[int, int]:
    """Where a value's text starts (1-based), past block indicators and quotes."""
    mark = node.start_mark
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        first = mark.line + 1  # the text starts on the line after "|"
        content = lines[first] if first < len(lines) else ""
        return first + 1, len(content) - len(content.lstrip(" ")) + 1
    quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
    return mark.line + 1, mark.column + 1 + (1 if quoted else 0)
