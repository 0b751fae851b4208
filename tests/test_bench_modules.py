"""Every benchmark module loads and has the ``run()`` that ``make bench`` calls."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NAMES = sorted(
    m.name for m in pkgutil.iter_modules([str(ROOT / "bench")]) if m.name.startswith("bench_")
)


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_module_loads_with_a_run_function(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    module = importlib.import_module(f"bench.{name}")
    assert callable(module.run)
    sys.modules.pop(f"bench.{name}", None)


def test_every_issue_benchmark_is_there() -> None:
    expected = {"import", "decision", "search", "screenpop", "engine_speed", "w1", "erlang"}
    assert expected <= {n.removeprefix("bench_") for n in NAMES}
