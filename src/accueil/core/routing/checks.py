"""Bad input to the routing engine, refused before anything changes.

Times and durations come from a driver that may be wrong (a clock gone mad, a parse that gave
NaN): a non-finite or negative one would fire every deadline at once or poison the heaps, so an
event carrying one is refused whole with its reason (``InvalidInput``) and the state is untouched.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

from accueil.core.routing import events
from accueil.errors import InvalidInput

# Fields of events that are times on the engine's time line, or durations in seconds.
_TIMES = ("at", "since")
_DURATIONS = ("target_seconds", "max_wait", "wrapup_seconds")


def check_event(event: Any) -> None:
    """Refuse an event whose times or durations are not finite and >= 0."""
    problems = []
    for name in (*_TIMES, *_DURATIONS):
        value = getattr(event, name, None)
        if value is None:
            continue
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{name} must be a number of seconds, not {value!r}")
        elif not math.isfinite(value) or value < 0:
            problems.append(f"{name} must be finite and >= 0, not {value}")
    if isinstance(event, events.CallEnqueued):
        if not event.account:
            problems.append("account is empty")
        if event.max_wait == 0:
            problems.append("max_wait must be > 0, not 0")
    call = getattr(event, "call", None)
    if problems:
        what = f"call {call!r}" if call else type(event).__name__
        raise InvalidInput(
            f"{what} refused: " + "; ".join(problems), event=type(event).__name__, problems=problems
        )


def check_config(config: Any) -> list[str]:
    """Settings that are numbers must be finite (NaN compares false with every bound)."""
    problems = []
    for field in fields(config):
        value = getattr(config, field.name)
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{field.name} must be finite, not {value}")
        elif isinstance(value, dict):
            bad = [k for k, v in value.items() if isinstance(v, float) and not math.isfinite(v)]
            problems += [f"{field.name}[{k!r}] must be finite" for k in bad]
    return problems
