"""Rules: ordered "when → then" with a name. Validated when saved, paths in every problem.

A rules document (YAML or JSON) names its owner and lists the rules::

    account: cabinet-martin
    person: claire            # or group: partners, or neither for the account's defaults
    rules:
      - name: VIP → mobile
        when: {caller_in_list: VIP}
        then: {type: connect, devices: [{device: mobile, timeout: 20}]}

Validation has two passes: the shape (pydantic), then references against the directory
(devices, caller lists, rotas). Both report ``rules[0].then.devices[0].device: …``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from accueil.core.conditions import CallerInList, Condition, DialledIs, leaves
from accueil.core.safe_yaml import Limits, load_yaml
from accueil.core.treatments import Connect, OnCall, Treatment
from accueil.errors import Problem, ValidationFailed, reason_of, says


class Scope(StrEnum):
    PERSON = "person"
    GROUP = "group"
    ACCOUNT = "account"
    FALLBACK = "fallback"


class Rule(BaseModel):
    """When the conditions hold (no ``when``: always), then this treatment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120)
    when: Condition | None = None
    then: Treatment
    enabled: bool = True


class RulesDocument(BaseModel):
    """The rules of one person, one group, or the account's defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str = Field(min_length=1)
    person: str | None = None
    group: str | None = None
    rules: list[Rule] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _one_owner(self) -> RulesDocument:
        if self.person and self.group:
            raise ValueError(says("a rules document is for a person or a group, not both"))
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ValueError(
                    says("two rules are named %(name)r; names tell rules apart", name=rule.name)
                )
            seen.add(rule.name)
        return self

    @property
    def scope(self) -> Scope:
        if self.person:
            return Scope.PERSON
        return Scope.GROUP if self.group else Scope.ACCOUNT

    @property
    def owner(self) -> str:
        return self.person or self.group or ""


@dataclass(frozen=True)
class References:
    """What rules may name. ``devices`` or ``numbers`` None: not checked."""

    lists: frozenset[str]
    rotas: frozenset[str]
    devices: frozenset[str] | None = None
    numbers: frozenset[str] | None = None  # the account's own dialled numbers (E.164)


RULES_LIMITS = Limits(max_chars=1_000_000)  # a person's rules are a page, not a book


def load_text(text: str, file: str = "") -> Any:
    """YAML (a superset of JSON) to plain data, by the one safe loader (``core.safe_yaml``):
    dates stay text (pydantic then says which field holds an impossible date), an alias bomb,
    a tag that is not plain data, a key written twice or an empty file are refused."""
    document = load_yaml(text, file, limits=RULES_LIMITS, expected=says("a rules document"))
    if document.duplicates:
        raise ValidationFailed(document.duplicates)
    return document.data


def parse_document(data: Any, file: str = "", text: str = "") -> RulesDocument:
    """The shape check; ValidationFailed lists every problem with its path (and line)."""
    try:
        return RulesDocument.model_validate(data)
    except ValidationError as exc:
        lines = yaml_lines(text) if text else {}
        problems = [_problem(err, data, file, lines) for err in exc.errors()]
        raise ValidationFailed(problems) from None


def check_references(
    rules: Sequence[Rule], refs: References, file: str = "", text: str = ""
) -> list[Problem]:
    """Names that do not exist: devices, caller lists, rotas. Empty when all is well."""
    lines = yaml_lines(text) if text else {}
    problems = []
    for where, reason in _reference_errors(rules, refs):
        problems.append(Problem(reason, file, _line(lines, where), field=display(where)))
    return problems


def _reference_errors(
    rules: Sequence[Rule], refs: References
) -> Iterable[tuple[tuple[str | int, ...], str]]:
    for i, rule in enumerate(rules):
        base: tuple[str | int, ...] = ("rules", i)
        if rule.when is not None:
            for path, leaf in leaves(rule.when, "when"):
                for where, reason in _leaf_errors(leaf, refs):
                    yield base + _split(path) + where, reason
        yield from _treatment_errors(rule.then, (*base, "then"), refs)


def _leaf_errors(leaf: Condition, refs: References) -> Iterable[tuple[tuple[int, ...], str]]:
    if isinstance(leaf, CallerInList) and leaf.caller_in_list not in refs.lists:
        known = ", ".join(sorted(refs.lists)) or "none yet"
        yield (), f"no caller list {leaf.caller_in_list!r} (lists: {known})"
    if isinstance(leaf, DialledIs) and refs.numbers is not None:
        # a number of another account would never be dialled here: say so rather than keep
        # a rule that can never match
        for i, number in enumerate(leaf.dialled):
            if number not in refs.numbers:
                yield (i,), f"{number} is not a number of this account"


def _treatment_errors(
    treatment: Treatment, base: tuple[str | int, ...], refs: References
) -> Iterable[tuple[tuple[str | int, ...], str]]:
    if isinstance(treatment, Connect):
        if refs.devices is not None:
            for j, ring in enumerate(treatment.devices):
                if ring.device not in refs.devices:
                    known = ", ".join(sorted(refs.devices)) or "none"
                    yield (*base, "devices", j, "device"), f"no device {ring.device!r} ({known})"
        yield from _treatment_errors(treatment.no_answer, (*base, "no_answer"), refs)
    if isinstance(treatment, OnCall):
        if treatment.rota not in refs.rotas:
            known = ", ".join(sorted(refs.rotas)) or "none yet"
            yield (*base, "rota"), f"no on-call rota {treatment.rota!r} (rotas: {known})"
        yield from _treatment_errors(treatment.no_answer, (*base, "no_answer"), refs)


def _split(path: str) -> tuple[str | int, ...]:
    out: list[str | int] = []
    for part in path.split("."):
        name, _, index = part.partition("[")
        out.append(name)
        if index:
            out.append(int(index.rstrip("]")))
    return tuple(out)


def refused(exc: ValidationError, file: str = "") -> ValidationFailed:
    """A pydantic error as accueil's: every problem with its path (``rules[0].then``)."""
    return ValidationFailed(
        [Problem(reason_of(e), file, field=display(e["loc"])) for e in exc.errors()]
    )


def display(path: Sequence[str | int]) -> str:
    """('rules', 0, 'then', 'devices', 1) → 'rules[0].then.devices[1]'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _real_path(loc: Sequence[str | int], data: Any) -> tuple[str | int, ...]:
    """pydantic's loc names union tags too; keep only the steps that exist in the input."""
    path: list[str | int] = []
    node = data
    for step in loc:
        in_dict = isinstance(node, dict) and step in node
        if in_dict or (isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)):
            node = node[step]
        elif isinstance(node, dict | list):
            continue  # a union tag, or a key the input lacks (reported on its parent)
        else:
            break  # below a scalar: pydantic repeating the field's name
        path.append(step)
    return tuple(path)


def _problem(err: Any, data: Any, file: str, lines: dict[tuple[str | int, ...], int]) -> Problem:
    loc = _real_path(err["loc"], data)
    missing = err["type"] == "missing"
    field = display((*loc, err["loc"][-1]) if missing and err["loc"] else loc)
    reason = says("required field is missing") if missing else reason_of(err)
    if err["type"] == "extra_forbidden":
        reason = says("unknown field (check its spelling)")
    if err["type"] == "model_type" and not loc:
        reason = says("a rules document is a mapping with account, person or group, and rules")
    return Problem(reason, file, _line(lines, loc), field=field or "(document)")


def first_problem(exc: ValidationError, data: Any) -> Problem:
    """The first problem of a validation error, with the path as people read it."""
    return _problem(exc.errors()[0], data, "", {})


def _line(lines: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int | None:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def yaml_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Line (1-based) of every value of a YAML/JSON text, by path; empty if it does not load."""
    try:
        return load_yaml(text, limits=RULES_LIMITS).lines
    except ValidationFailed:
        return {}


def rules_schema() -> dict[str, Any]:
    """The published JSON Schema of a rules document."""
    return RulesDocument.model_json_schema()
