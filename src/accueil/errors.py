"""One base error with a stable code, an HTTP status and structured details.

Every error a user can meet says where and why, and what to do about it. Its words are made
with ``says(template, **values)``: the English text, as the API, the CLI and the logs show it,
that also keeps its template and values, so that a page can say it in its own language (the
template through the pages' catalogue, then the same values: ``web/error_words.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


class Said(str):
    """An English message that remembers what it was made of: ``template % values``.

    It is the English text in every way (compared, joined, logged, sent as JSON); a page reads
    ``template`` and ``values`` to say it in its own language. A value may itself be ``Said``
    (a reason inside a message) and is then said in that language too.
    """

    template: str
    values: dict[str, Any]

    def __new__(cls, template: str, values: dict[str, Any]) -> Said:
        said = super().__new__(cls, template % values if values else template)
        said.template = template
        said.values = values
        return said

    def __reduce__(self) -> tuple[Any, ...]:
        return (Said, (self.template, self.values))

    def words(self) -> dict[str, Any]:
        """Its template and values as JSON carries them (a said value as its own words)."""
        return {"template": self.template, "values": {k: _word(v) for k, v in self.values.items()}}

    @classmethod
    def from_words(cls, words: Any, depth: int = 0) -> Said:
        """The message ``words()`` gave; ValueError when ``words`` is not such."""
        if depth > 4 or not isinstance(words, dict) or not isinstance(words.get("template"), str):
            raise ValueError("not the words of a message")
        given = words.get("values") or {}
        if not isinstance(given, dict):
            raise ValueError("not the words of a message")
        values = {
            str(k): cls.from_words(v, depth + 1) if isinstance(v, dict) else v
            for k, v in given.items()
        }
        try:
            return cls(words["template"], values)
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError("not the words of a message") from exc


def _word(value: Any) -> Any:
    if isinstance(value, Said):
        return value.words()
    return value if value is None or isinstance(value, str | int | float) else str(value)


def says(template: str, /, **values: Any) -> Said:
    """A message made of a gettext template (``%(name)s``, ``%(name)r``…) and its values.

    ``make messages`` extracts the template into the pages' catalogue; write it as a literal.
    """
    return Said(template, values)


def N_(template: str) -> str:
    """Marks a template for ``make messages`` where it is not said at once (a table)."""
    return template


def said_of(exc: BaseException) -> str:
    """An exception's message, keeping its template when it was made with ``says``
    (``str(exc)`` would give a plain copy of the English)."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Said) else str(exc)


# pydantic's messages the scripts' and rules' checks pass on, by error type: the same English,
# with its values kept (ctx), so that the pages say them in their language too.
_PYDANTIC = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "literal_error": N_("Input should be %(expected)s"),
    "enum": N_("Input should be %(expected)s"),
    "string_too_long": N_("String should have at most %(max_length)s characters"),
    "string_too_short": N_("String should have at least %(min_length)s characters"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
}


def reason_of(error: Mapping[str, Any]) -> str:
    """The reason of one pydantic error (``exc.errors()``), without "Value error, ": what a
    validator raised with ``says``, or pydantic's own words, kept with their template."""
    message = str(error["msg"]).removeprefix("Value error, ")
    ctx = error.get("ctx") or {}
    raised = ctx.get("error")
    if isinstance(raised, BaseException) and said_of(raised) == message:
        return said_of(raised)
    template = _PYDANTIC.get(str(error["type"]))
    if template is None:
        return message
    values = {k: v for k, v in ctx.items() if f"%({k})s" in template}
    said = Said(template, values)
    return said if said == message else message  # the English exactly as pydantic wrote it


class AccueilError(Exception):
    """Base of every error accueil raises on purpose."""

    code = "error"
    status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(AccueilError):
    code = "not_found"
    status = 404


class Conflict(AccueilError):
    code = "conflict"
    status = 409


class InvalidInput(AccueilError):
    code = "invalid_input"
    status = 422


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input: where (file, line, column, field) and why."""

    reason: str
    file: str = ""
    line: int | None = None
    column: str | None = None
    field: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f" column {self.column!r}"
        elif self.field:
            where += f" field {self.field!r}"
        return f"{where}: {self.reason}"


@contextmanager
def at_field(field: str) -> Iterator[None]:
    """A refusal raised within (bad input, or nothing found by that name), that names no field,
    names ``field``: where the input was given (a body's field, or ``query.NAME``), for the
    API's problem."""
    try:
        yield
    except AccueilError as exc:
        exc.details.setdefault("field", field)
        raise


class ValidationFailed(InvalidInput):
    """An input had one or more problems; nothing was changed."""

    code = "validation_failed"

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = problems
        n = len(problems)
        if message is not None:
            msg = message
        elif n == 1:
            msg = says("%(n)s problem found; nothing was changed", n=n)
        else:
            msg = says("%(n)s problems found; nothing was changed", n=n)
        super().__init__(msg, problems=[str(p) for p in problems])

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {p}" for p in self.problems)])
