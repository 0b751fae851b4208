"""Replay of a real day from a CSV trace: an operator can run their own traffic through the twin.

One row per call, with a header::

    arrival,account,person,language,handle_time,patience[,target_seconds]
    09:00:04,cabinet-martin,martin.paul,fr,95.5,60
    2026-03-02T09:00:09,garage-lefevre,,en,140,

``arrival`` is a time of day (``HH:MM[:SS]``) or an ISO date-time (all rows on one date);
``person`` may be empty (the switchboard); ``patience`` is seconds before the caller hangs up,
empty for never. The optional ``target_seconds`` sets the account's answer target (otherwise the
workload's first tier). The agents, wrap-up and misses come from the workload. The day is played
once per warm-up day first, not counted, then once counted.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from accueil.errors import NotFound, Problem, ValidationFailed
from accueil.sim.generator import generate_presences, scenario_of
from accueil.sim.scenario import DAY, AccountSpec, CallSpec, Scenario
from accueil.sim.workload import Workload

REQUIRED = ("arrival", "account", "person", "language", "handle_time", "patience")
OPTIONAL = ("target_seconds",)
MAX_PROBLEMS = 50
_TIME = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

# Records a problem in a column of the current row: fail(column, reason).
_Fail = Callable[[str, str], None]


@dataclass(frozen=True)
class TraceRow:
    line: int
    arrival: float  # seconds after midnight
    date: str
    account: str
    person: str
    language: str
    handle_seconds: float
    patience_seconds: float
    target_seconds: float | None


def read_trace(path: Path) -> list[TraceRow]:
    """Read and check a trace; every problem names the file, line, column and reason."""
    if not path.is_file():
        raise NotFound(f"trace file {str(path)!r} does not exist", path=str(path))
    file = str(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
        if missing or unknown:
            reason = f"the header needs {', '.join(REQUIRED)}"
            if missing:
                reason += f"; missing: {', '.join(missing)}"
            if unknown:
                reason += f"; unknown: {', '.join(unknown)}"
            raise ValidationFailed([Problem(reason, file=file, line=1)])
        reader.fieldnames = header
        rows, problems = _rows(reader, file)
    if not rows and not problems:
        problems.append(Problem("the trace has no calls", file=file, line=2))
    dates = sorted({r.date for r in rows if r.date})
    if len(dates) > 1:
        problems.append(
            Problem(f"the trace spans several dates ({', '.join(dates)}); give one day", file=file)
        )
    if problems:
        raise ValidationFailed(problems[:MAX_PROBLEMS])
    return rows


def _rows(reader: csv.DictReader[str], file: str) -> tuple[list[TraceRow], list[Problem]]:
    rows: list[TraceRow] = []
    problems: list[Problem] = []
    for record in reader:
        line = reader.line_num
        before = len(problems)

        def fail(column: str, reason: str, line: int = line) -> None:
            problems.append(Problem(reason, file=file, line=line, column=column))

        arrival, date = _arrival((record.get("arrival") or "").strip(), fail)
        account = (record.get("account") or "").strip()
        if not account:
            fail("account", "the account is empty")
        language = (record.get("language") or "").strip().lower()
        if not _LANGUAGE.match(language):
            fail("language", f"{language!r} is not a language code like 'fr' or 'en'")
        handle = _seconds(record.get("handle_time"), "handle_time", fail, allow_empty=False)
        patience = _seconds(record.get("patience"), "patience", fail, allow_empty=True)
        target = None
        if (record.get("target_seconds") or "").strip():
            target = _seconds(record.get("target_seconds"), "target_seconds", fail, False)
        if len(problems) == before:
            rows.append(
                TraceRow(
                    line,
                    arrival,
                    date,
                    account,
                    (record.get("person") or "").strip(),
                    language,
                    handle,
                    patience,
                    target,
                )
            )
        if len(problems) >= MAX_PROBLEMS:
            break
    return rows, problems


def _arrival(text: str, fail: _Fail) -> tuple[float, str]:
    match = _TIME.match(text)
    if match:
        hours, minutes, seconds = int(match.group(1)), int(match.group(2)), match.group(3)
        if hours < 24:
            return hours * 3600 + minutes * 60 + float(seconds or 0), ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail("arrival", f"{text!r} is not a time of day (09:15:30) or a date-time (ISO 8601)")
        return 0.0, ""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return (moment - midnight).total_seconds(), moment.date().isoformat()


def _seconds(raw: str | None, column: str, fail: _Fail, allow_empty: bool) -> float:
    text = (raw or "").strip()
    if not text and allow_empty:
        return math.inf
    try:
        value = float(text)
    except ValueError:
        fail(column, f"{text!r} is not a number of seconds")
        return 0.0
    if not math.isfinite(value) and not allow_empty:
        fail(column, f"{text!r}: expected a finite number of seconds")
    elif value < 0 or (value == 0 and column == "handle_time"):
        fail(column, f"{text!r}: expected a positive number of seconds")
    return value


def trace_scenario(workload: Workload, rows: list[TraceRow], seed: int) -> Scenario:
    """The trace's day, played for each warm-up day and then counted, with the workload's pool."""
    default = workload.accounts.tiers[0]
    targets: dict[str, float] = {}
    for row in rows:
        targets.setdefault(row.account, row.target_seconds or default.target_seconds)
    accounts = [
        AccountSpec(key, default.name, target, default.priority_seconds)
        for key, target in sorted(targets.items())
    ]
    days = workload.simulation.warmup_days + workload.simulation.days
    presences = generate_presences(workload, np.random.default_rng(seed), days)
    calls = [
        CallSpec(
            key=f"d{day}l{row.line}",
            arrival=day * DAY + row.arrival,
            account=row.account,
            person=f"{row.account}.{row.person}" if row.person else "",
            languages=(row.language,),
            handle_seconds=row.handle_seconds,
            patience_seconds=row.patience_seconds,
        )
        for day in range(days)
        for row in rows
    ]
    return scenario_of(workload, accounts, presences, calls)
