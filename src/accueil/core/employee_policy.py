"""What a client admin lets employees do in their own rules: the account's employee policy.

Pure: a policy (tenant-authored, so pydantic) and the check of a person's rules against it.
Each problem names the rule's path (``rules[1].then.devices[0].device``) and the policy item
it goes beyond (``mobile``). Only an employee's own saves are checked; their client admin
and the operator's staff are not limited by it, and rules already saved keep deciding calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accueil.core.rules import Rule, display, refused
from accueil.core.treatments import Connect, OnCall, Reject, Treatment
from accueil.errors import Problem, ValidationFailed, says

Chosen = Literal["connect", "answer", "message", "on_call"]
CHOSEN: tuple[Chosen, ...] = ("connect", "answer", "message", "on_call")
ITEMS = ("treatments", "mobile", "max_ring_seconds", "block", "greeting")


class EmployeePolicy(BaseModel):
    """The account's limits on employees' own rules and greeting. The default allows all."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    treatments: list[Chosen] = Field(
        default_factory=lambda: list(CHOSEN),
        description="what their rules may do with a call: connect (ring their devices), answer "
        "(the pool answers), message, on_call",
    )
    mobile: bool = Field(True, description="their rules may put calls through to a mobile")
    max_ring_seconds: int | None = Field(
        None,
        ge=5,
        le=600,
        description="how long a call may ring their devices in all before it falls back "
        "(null: no limit)",
    )
    block: bool = Field(True, description="their rules may block callers (reject)")
    greeting: bool = Field(True, description="they may change their own greeting")


class OutsidePolicy(ValidationFailed):
    """An employee's save goes beyond the account's policy: nothing was saved."""

    code = "outside_policy"
    status = 403


def read_policy(data: Any) -> EmployeePolicy:
    """A policy document, or ValidationFailed with the path of every problem."""
    try:
        return EmployeePolicy.model_validate(data)
    except ValidationError as exc:
        raise refused(exc) from None


def outside(
    rules: Sequence[Rule], policy: EmployeePolicy, device_kinds: Mapping[str, str]
) -> list[Problem]:
    """Every place the rules go beyond the policy (empty: within it). ``device_kinds``: the
    person's device keys and their kinds (mobile, desk, softphone)."""
    problems: list[Problem] = []
    for i, rule in enumerate(rules):
        problems += _treatment(rule.then, ("rules", i, "then"), policy, device_kinds)
    return problems


def greeting_refused(policy: EmployeePolicy, field: str = "greeting") -> list[Problem]:
    """The problem of an employee changing their greeting where the policy says no."""
    if policy.greeting:
        return []
    reason = says("the account's policy does not let employees change their greeting")
    return [_problem(reason, field, "greeting")]


def _treatment(
    treatment: Treatment,
    path: tuple[str | int, ...],
    policy: EmployeePolicy,
    kinds: Mapping[str, str],
) -> list[Problem]:
    where = display(path)
    if isinstance(treatment, Reject):
        if policy.block:
            return []
        reason = says("the account's policy does not let employees block callers (reject)")
        return [_problem(reason, where, "block")]
    found: list[Problem] = []
    if treatment.type not in policy.treatments:
        allowed = ", ".join(policy.treatments) or "none"
        reason = says(
            "the account's policy does not let employees use %(type)r (allowed: %(allowed)s)",
            type=treatment.type,
            allowed=allowed,
        )
        found.append(_problem(reason, where, "treatments"))
    if isinstance(treatment, Connect):
        found += _rings(treatment, path, policy, kinds)
    if isinstance(treatment, Connect | OnCall):
        found += _treatment(treatment.no_answer, (*path, "no_answer"), policy, kinds)
    return found


def _rings(
    connect: Connect,
    path: tuple[str | int, ...],
    policy: EmployeePolicy,
    kinds: Mapping[str, str],
) -> Iterable[Problem]:
    if not policy.mobile:
        for j, ring in enumerate(connect.devices):
            if kinds.get(ring.device) == "mobile":
                reason = says(
                    "%(device)r is a mobile; the account's policy does not let "
                    "employees put calls through to a mobile",
                    device=ring.device,
                )
                yield _problem(reason, display((*path, "devices", j, "device")), "mobile")
    limit = policy.max_ring_seconds
    timeouts = [r.timeout for r in connect.devices]
    total = max(timeouts) if connect.ring == "together" else sum(timeouts)
    if limit is not None and total > limit:
        if connect.ring == "together":
            reason = says(
                "rings %(total)s s in all (together); the account's policy allows at most "
                "%(limit)s s",
                total=total,
                limit=limit,
            )
        else:
            reason = says(
                "rings %(total)s s in all (one after the other); the account's policy allows "
                "at most %(limit)s s",
                total=total,
                limit=limit,
            )
        yield _problem(reason, display((*path, "devices")), "max_ring_seconds")


def _problem(reason: str, field: str, item: str) -> Problem:
    return Problem(reason, field=field, extra={"policy": item})
