"""Tenant-written templates in greetings and prompts, with python-liquid.

Liquid was made for customer-written templates: no Python attribute access, no code. We add
bounds (loop iterations, output size, nesting, the size of every value a filter takes or
makes, ranges written with small literal numbers) and refuse at save time anything that could
fail during a call: syntax errors, unknown variables and filters, and partial templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from liquid import BoundTemplate, Environment, RenderContext, StrictUndefined
from liquid.ast import Node
from liquid.builtin.expressions.primitive import IntegerLiteral, RangeLiteral
from liquid.exceptions import LiquidError, ResourceLimitError
from liquid.expression import Expression
from liquid.span import Span

from accueil.core.scripts.liquid_words import liquid_words
from accueil.errors import AccueilError, says

MAX_OUTPUT = 2000  # characters a greeting or prompt may render to
MAX_LOOP = 100  # loop iterations in one render, and items in a range
MAX_VALUE = 4 * MAX_OUTPUT  # characters of any string a filter takes or makes
MAX_ITEMS = 1000  # items of any list a filter takes or makes
MAX_NUMBER = 10**15  # magnitude of any whole number a filter makes (Python ints grow unbounded)

# The variables a template may use. "answers" holds the script's own field ids.
VARIABLES: Mapping[str, tuple[str, ...]] = {
    "account": ("name", "answer_name", "timezone"),
    "person": (
        "first_name",
        "last_name",
        "name",
        "title",
        "pronunciation",
        "group",
        "availability",
        "state",
        "back_at",
        "delegate",
    ),
    "caller": ("number", "name", "known"),
    "time": ("hour", "date", "weekday", "part_of_day", "hello"),
    "situation": (),
    "answers": (),  # checked against the script's field ids
}
_FORBIDDEN_TAGS = frozenset({"include", "render", "extends", "block", "macro", "call"})


class TemplateFailed(AccueilError):
    """A template could not be rendered during a call (a bound was reached)."""

    code = "template_failed"
    status = 500


_CLOCK = frozenset({"now", "today"})


class _TooBig(ResourceLimitError):
    """A filter was given, or made, a value past MAX_VALUE characters or MAX_ITEMS items."""


def _small(name: str, value: object) -> None:
    if isinstance(value, str) and len(value) > MAX_VALUE:
        raise _TooBig(f"'{name}' made a text past {MAX_VALUE} characters", token=None)
    if isinstance(value, range | list | tuple | dict) and len(value) > MAX_ITEMS:
        raise _TooBig(f"'{name}' made a list past {MAX_ITEMS} items", token=None)
    if isinstance(value, int) and abs(value) > MAX_NUMBER:
        raise _TooBig(f"'{name}' made a number past {MAX_NUMBER:.0e}", token=None)


class _BoundedFilter:
    """A built-in filter whose input, arguments and result stay small.

    The output limit only counts what is written out: without this, a chain of
    ``replace: '', 'xxxx'`` or a ``(1..10000000) | join`` builds a huge value in memory first.
    """

    def __init__(self, name: str, func: Callable[..., Any]) -> None:
        self._name, self._func = name, func
        for flag in ("with_context", "with_environment", "validate"):  # read by liquid
            if hasattr(func, flag):
                setattr(self, flag, getattr(func, flag))

    def __call__(self, left: object, *args: object, **kwargs: object) -> object:
        for value in (left, *args):
            _small(self._name, value)
        if self._name == "date" and isinstance(left, str) and left.strip() in _CLOCK:
            # Liquid would read the server's clock: a script says the call's time (time.*),
            # so that one call renders the same words in a test, a replay and the desk.
            raise LiquidError(
                "'date' of 'now': write {{ time.hour }} or {{ time.date }}", token=None
            )
        result = self._func(left, *args, **kwargs)
        _small(self._name, result)
        return result


class _Bounded(Environment):
    loop_iteration_limit: ClassVar[int | None] = MAX_LOOP
    output_stream_limit: ClassVar[int | None] = MAX_OUTPUT * 4  # bytes; UTF-8 up to 4 each
    local_namespace_limit: ClassVar[int | None] = 4096
    context_depth_limit: ClassVar[int] = 5
    block_nesting_limit: ClassVar[int] = 10

    def setup_tags_and_filters(self, *, extra: bool = False) -> None:
        super().setup_tags_and_filters(extra=extra)
        self.filters = {name: _BoundedFilter(name, f) for name, f in self.filters.items()}


_ENV = _Bounded(undefined=StrictUndefined, strict_filters=True)


@dataclass(frozen=True)
class TemplateProblem:
    """Where in the template (1-based line and column) and why."""

    reason: str
    line: int
    column: int


@lru_cache(maxsize=4096)
def compiled(source: str) -> BoundTemplate:
    """The parsed template (cached: the same greeting serves thousands of calls)."""
    return _ENV.from_string(source)


@lru_cache(maxsize=4096)
def variable_paths(source: str) -> frozenset[tuple[str, ...]]:
    """The variables ``source`` reads, each as its path from the root (``("person", "name")``);
    a path with a computed part (``person[x]``) stops before it: all of what is above."""
    paths = set()
    for found in compiled(source).analyze(include_partials=False).globals.values():
        for variable in found:
            path: list[str] = []
            for segment in variable.segments:
                if not isinstance(segment, str):
                    break
                path.append(segment)
            paths.add(tuple(path))
    return frozenset(p for p in paths if p)


def check(source: str, fields: Sequence[str]) -> list[TemplateProblem]:
    """Everything wrong with ``source`` as a template of a script with these field ids."""
    try:
        template = compiled(source)
    except LiquidError as exc:
        return [_syntax_problem(source, exc)]
    analysis = template.analyze(include_partials=False)
    problems = []
    for name, spans in analysis.tags.items():
        if name in _FORBIDDEN_TAGS:
            line, col = _where(spans[0], source)
            problems.append(
                TemplateProblem(
                    says("the '%(name)s' tag is not allowed in scripts", name=name), line, col
                )
            )
    for name, spans in analysis.filters.items():
        if name not in _ENV.filters:
            line, col = _where(spans[0], source)
            problems.append(
                TemplateProblem(says("unknown filter '%(name)s'", name=name), line, col)
            )
    for variables in analysis.globals.values():
        for variable in variables:
            reason = _unknown(variable.segments, fields)
            if reason:
                line, col = _where(variable.span, source)
                problems.append(TemplateProblem(reason, line, col))
    return problems + _range_problems(template, source)


def _range_problems(template: BoundTemplate, source: str) -> list[TemplateProblem]:
    """Ranges are written with numbers and stay short: ``(1..n)`` or ``(1..10000000)`` would
    let ``contains`` or a filter walk millions of items, which no loop limit counts."""
    problems = []
    for found in _ranges(template):
        start, stop = found.start, found.stop
        short = (
            isinstance(start, IntegerLiteral)
            and isinstance(stop, IntegerLiteral)
            and stop.value - start.value < MAX_LOOP
        )
        if not short:
            line, col = _where(Span("", found.token.start_index), source)
            reason = says(
                "a range is written with two numbers, at most %(n)s apart: (1..10)",
                n=MAX_LOOP,
            )
            problems.append(
                TemplateProblem(
                    says("%(reason)s, not %(found)s", reason=reason, found=found), line, col
                )
            )
    return problems


def _ranges(template: BoundTemplate) -> Iterator[RangeLiteral]:
    context = RenderContext(template)

    def in_expression(expression: Expression) -> Iterator[RangeLiteral]:
        if isinstance(expression, RangeLiteral):
            yield expression
        for child in expression.children():
            yield from in_expression(child)

    def in_node(node: Node) -> Iterator[RangeLiteral]:
        for expression in node.expressions():
            yield from in_expression(expression)
        for child in node.children(context, include_partials=False):
            yield from in_node(child)

    for node in template.nodes:
        yield from in_node(node)


def _where(span: Span, source: str) -> tuple[int, int]:
    line, column = span.line_col(source)
    return line, column + 1  # liquid counts columns from 0; people and editors from 1


def _unknown(segments: Sequence[object], fields: Sequence[str]) -> str:
    path = ".".join(str(s) for s in segments)
    root = segments[0] if segments else ""
    if not isinstance(root, str) or root not in VARIABLES:
        return says(
            "unknown variable '%(path)s' (known: %(known)s)", path=path, known=", ".join(VARIABLES)
        )
    members = tuple(fields) if root == "answers" else VARIABLES[root]
    if root == "answers" and not members:
        return says("unknown variable '%(path)s' (this script asks no question)", path=path)
    if not members:
        if len(segments) == 1:
            return ""
        return says("'%(root)s' has no member (write {{ %(root)s }})", root=root)
    if len(segments) != 2 or not isinstance(segments[1], str) or segments[1] not in members:
        known = ", ".join(f"{root}.{m}" for m in members)
        return says("unknown variable '%(path)s' (known: %(known)s)", path=path, known=known)
    return ""


def _syntax_problem(source: str, exc: LiquidError) -> TemplateProblem:
    message = liquid_words(exc)
    token = exc.token
    index = token.start_index if token is not None and token.start_index >= 0 else len(source)
    before = source[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    return TemplateProblem(says("syntax error: %(message)s", message=message), line, column)


def render(source: str, variables: Mapping[str, Any]) -> str:
    """The template filled in; raises TemplateFailed when a bound is reached."""
    try:
        text = compiled(source).render(**variables)
    except ResourceLimitError as exc:
        raise TemplateFailed(
            says("the template went past its limits: %(message)s", message=exc.message)
        ) from exc
    except LiquidError as exc:
        raise TemplateFailed(
            says("the template could not be rendered: %(why)s", why=liquid_words(exc))
        ) from exc
    except (ValueError, ArithmeticError, LookupError) as exc:  # a filter gave up on its input
        why = says("a filter could not compute its value (%(kind)s)", kind=type(exc).__name__)
        raise TemplateFailed(says("the template could not be rendered: %(why)s", why=why)) from exc
    if len(text) > MAX_OUTPUT:
        raise TemplateFailed(
            says(
                "the template renders %(length)s characters (at most %(most)s)",
                length=len(text),
                most=MAX_OUTPUT,
            )
        )
    return text.strip()
