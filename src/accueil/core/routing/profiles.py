"""Named profiles for operators: a few settings of ``EngineConfig`` that go together.

- ``balanced`` (the default): the person's own agents, then the account's team, within budgets
  the guard keeps from costing service level (and grows, to 1.33 ×, while they cost none);
- ``familiar``: the account's team first (the account ring holds the team and primary agents
  only, a ready team member before a person's agent), and a guard a third more tolerant — more
  account affinity, less person affinity, for a little service;
- ``grace``: ``familiar`` with the guard off, spending the callers' learned grace (a call past
  it may wait for a familiar agent ending wrap-up, a claim that cannot be honoured opens at
  once): the most account affinity on W1 (48%), with no guard to give it up on a workload it
  was not measured on;
- ``grace_guarded``: ``grace`` with ``familiar``'s guard priced by the grace (``guard_grace``:
  a held call costs the abandonment risk of its wait past the learned grace; with no grace
  learned, callers hanging up from the start, the guard counts as ``familiar``'s), budgets that
  only shrink (``guard_max`` 1, as ``grace`` never grows them): 48.03% on W1 within the limits,
  and within them on all 35 suite runs, where callers hang up at once too, where ``grace`` is
  not (not the default);
- ``strict``: service first — short budgets, a guard with half the tolerance that never lets
  budgets grow past their size, no waiting for calls past their target.

docs/routing.md gives each profile's W1 figures.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from accueil.core.routing.config import EngineConfig
from accueil.errors import InvalidInput

PROFILES: dict[str, dict[str, Any]] = {
    "balanced": {},
    "familiar": {
        "person_in_account_ring": False,
        "team_first": True,
        "guard_tolerance": 0.01,
        "guard_abandon_tolerance": 0.004,
    },
    "grace": {
        "person_in_account_ring": False,
        "team_first": True,
        "guard": False,
        "familiarity_half_life": 1.0,
        "open_line_share": -1.0,
        "past_target_seconds": 20.0,
        "grace_aware": True,
        "release_claims": True,
    },
    "grace_guarded": {
        "person_in_account_ring": False,
        "team_first": True,
        "familiarity_half_life": 1.0,
        "open_line_share": -1.0,
        "past_target_seconds": 20.0,
        "grace_aware": True,
        "release_claims": True,
        "guard_grace": True,
        "guard_tolerance": 0.01,
        "guard_abandon_tolerance": 0.004,
        "guard_max": 1.0,
    },
    "strict": {
        "budget_share": 0.5,
        "guard_tolerance": 0.005,
        "guard_abandon_tolerance": 0.002,
        "guard_max": 1.0,
        "past_target_seconds": 0.0,
    },
}


def profile_settings(name: str) -> dict[str, Any]:
    """The settings of a named profile (a copy)."""
    if name not in PROFILES:
        raise InvalidInput(
            f"unknown routing profile {name!r}; choose one of {', '.join(PROFILES)}",
            profile=name,
            known=list(PROFILES),
        )
    return dict(PROFILES[name])


def profiled(name: str = "balanced", **overrides: Any) -> EngineConfig:
    """The configuration of profile ``name``, with ``overrides`` on top (checked as usual)."""
    settings = profile_settings(name)
    settings.update(overrides)
    known = {f.name for f in dataclasses.fields(EngineConfig)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise InvalidInput(
            f"unknown engine parameter {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            unknown=unknown,
        )
    return EngineConfig(**settings)
