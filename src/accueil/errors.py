"""One base error with a stable code, an HTTP status and structured details.

Every error a user can meet says where and why, and what to do about it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


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


class ValidationFailed(InvalidInput):
    """An input had one or more problems; nothing was changed."""

    code = "validation_failed"

    def __init__(self, problems: list[Problem], message: str | None = None) -> None:
        self.problems = problems
        n = len(problems)
        msg = message or f"{n} problem{'s' if n != 1 else ''} found; nothing was changed"
        super().__init__(msg, problems=[str(p) for p in problems])

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {p}" for p in self.problems)])
