"""Tenant-written templates in greetings and prompts, with python-liquid.

Liquid was made for customer-written templates: no Python attribute access, no code. We add
bounds (loop iterations, output size, nesting) and refuse at save time anything that could
fail during a call: syntax errors, unknown variables and filters, and partial templates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from liquid import BoundTemplate, Environment, StrictUndefined
from liquid.exceptions import LiquidError, ResourceLimitError
from liquid.span import Span

from accueil.errors import AccueilError

MAX_OUTPUT = 2000  # characters a greeting or prompt may render to
MAX_LOOP = 100

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


class _Bounded(Environment):
    loop_iteration_limit: ClassVar[int | None] = MAX_LOOP
    output_stream_limit: ClassVar[int | None] = MAX_OUTPUT * 4  # bytes; UTF-8 up to 4 each
    local_namespace_limit: ClassVar[int | None] = 4096
    context_depth_limit: ClassVar[int] = 5
    block_nesting_limit: ClassVar[int] = 10


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
                TemplateProblem(f"the '{name}' tag is not allowed in scripts", line, col)
            )
    for name, spans in analysis.filters.items():
        if name not in _ENV.filters:
            line, col = _where(spans[0], source)
            problems.append(TemplateProblem(f"unknown filter '{name}'", line, col))
    for variables in analysis.globals.values():
        for variable in variables:
            reason = _unknown(variable.segments, fields)
            if reason:
                line, col = _where(variable.span, source)
                problems.append(TemplateProblem(reason, line, col))
    return problems


def _where(span: Span, source: str) -> tuple[int, int]:
    line, column = span.line_col(source)
    return line, column + 1  # liquid counts columns from 0; people and editors from 1


def _unknown(segments: Sequence[object], fields: Sequence[str]) -> str:
    path = ".".join(str(s) for s in segments)
    root = segments[0] if segments else ""
    if not isinstance(root, str) or root not in VARIABLES:
        return f"unknown variable '{path}' (known: {', '.join(VARIABLES)})"
    members = tuple(fields) if root == "answers" else VARIABLES[root]
    if not members:
        return "" if len(segments) == 1 else f"'{root}' has no member (write {{{{ {root} }}}})"
    if len(segments) != 2 or not isinstance(segments[1], str) or segments[1] not in members:
        known = ", ".join(f"{root}.{m}" for m in members)
        return f"unknown variable '{path}' (known: {known})"
    return ""


def _syntax_problem(source: str, exc: LiquidError) -> TemplateProblem:
    message = getattr(exc, "message", str(exc))
    token = exc.token
    index = token.start_index if token is not None and token.start_index >= 0 else len(source)
    before = source[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    return TemplateProblem(f"syntax error: {message}", line, column)


def render(source: str, variables: Mapping[str, Any]) -> str:
    """The template filled in; raises TemplateFailed when a bound is reached."""
    try:
        text = compiled(source).render(**variables)
    except ResourceLimitError as exc:
        raise TemplateFailed(f"the template went past its limits: {exc.message}") from exc
    except LiquidError as exc:
        raise TemplateFailed(f"the template could not be rendered: {exc.message}") from exc
    if len(text) > MAX_OUTPUT:
        raise TemplateFailed(f"the template renders {len(text)} characters (at most {MAX_OUTPUT})")
    return text.strip()
