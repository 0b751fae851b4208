"""The import graph of ``accueil``: no loop, and no import climbs back up a floor.

Floors, from the bottom: ``core`` (pure) and ``errors``; ``store``, ``directory_io`` and
``settings``; ``services``; ``sim``, ``switchboard``, ``telephony`` and ``sip`` (the twin drives the
switchboard's engine host); ``demo``; ``cli``. Packages not listed (new rooms) are held
to the no-loop rule only. Every import counts, also one inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
FLOORS = {
    "core": 0,
    "errors": 0,
    "store": 1,
    "directory_io": 1,
    "settings": 1,
    "services": 2,
    "sim": 3,
    "switchboard": 3,
    "telephony": 3,
    "sip": 3,
    "demo": 4,
    "cli": 5,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "accueil").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in modules else node.module)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _floor(module: str) -> int | None:
    parts = module.split(".")
    return FLOORS.get(parts[1]) if len(parts) > 1 else None


def _climbs(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if (low := _floor(module)) is not None
        and (high := _floor(target)) is not None
        and high > low
    )


def _loops(graph: dict[str, set[str]]) -> list[list[str]]:
    loops: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                loops.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    return loops


def test_no_module_imports_a_module_of_a_higher_floor() -> None:
    assert _climbs(_graph()) == []


def test_the_import_graph_has_no_loop() -> None:
    assert _loops(_graph()) == []


def test_the_checks_see_a_climb_and_a_loop_when_there_is_one() -> None:
    made_up = {
        "accueil.core.a": {"accueil.services.b"},
        "accueil.services.b": {"accueil.services.c"},
        "accueil.services.c": {"accueil.services.b"},
    }
    assert _climbs(made_up) == ["accueil.core.a -> accueil.services.b"]
    assert _loops(made_up) == [["accueil.services.b", "accueil.services.c", "accueil.services.b"]]
    # and the graph checked above is the real one
    graph = _graph()
    assert "accueil.services.decisions" in graph["accueil.services.screenpop"]
    assert "accueil.core.decision" in graph["accueil.services.decisions"]
