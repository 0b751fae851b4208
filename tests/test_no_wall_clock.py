"""No service and nothing in core/ reads the wall clock: the time is passed in.

Reading the clock makes an answer depend on when the test runs; the edge (CLI, API,
switchboard) reads ``accueil.wallclock`` once per unit of work and passes ``now`` down.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "accueil"
GUARDED = ["core", "services"]
# (module, attribute) calls that read a clock
CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "monotonic_ns"),
    ("time", "perf_counter"),
    ("time", "perf_counter_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}
CLOCK_NAMES = {"monotonic", "monotonic_ns", "perf_counter", "time_ns", "utcnow"}


def clock_reads(source: str) -> list[str]:
    """Each place in ``source`` that reads a clock, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            owner = node.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.attr) in CLOCK_CALLS:  # datetime.now, datetime.datetime.now, ...
                found.append(f"{node.lineno}: {name}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in {"time", "datetime"}:
            for alias in node.names:
                if alias.name in CLOCK_NAMES or (node.module == "time" and alias.name == "time"):
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            found.extend(f"{node.lineno}: import time" for a in node.names if a.name == "time")
    return found


FILES = sorted(p for folder in GUARDED for p in (SRC / folder).rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_module_reads_no_clock(path: Path) -> None:
    assert clock_reads(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import UTC, datetime\nx = datetime.now(UTC)",
        "import time\nx = time.time()",
        "from time import monotonic\nx = monotonic()",
        "from datetime import date\nx = date.today()",
        "import datetime\nx = datetime.datetime.now()",
    ],
)
def test_the_check_sees_each_way_of_reading_the_clock(source: str) -> None:
    assert clock_reads(source) != []
