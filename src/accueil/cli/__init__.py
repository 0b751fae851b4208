"""The ``accueil`` command line. Each module of this package adds its commands to ``app``."""

from __future__ import annotations

import importlib
import pkgutil

from typer.models import CommandInfo

from accueil.cli.app import app

# Command modules register themselves on import; discovering them keeps this file stable
# while features add their own modules.
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in {"app", "common"}:
        importlib.import_module(f"{__name__}.{_module.name}")

# `accueil --help` groups commands by what a user is doing, in the order they meet them.
PANELS = {
    "Start here": ("demo",),
    "The directory": ("import", "export", "demo-data", "init-db"),
    "Availability and rules": (
        "status",
        "delegate",
        "closure",
        "calendar",
        "rules",
        "lists",
        "contacts",
        "rota",
        "decide",
    ),
    "Answering calls": ("script", "search", "screenpop"),
    "The digital twin": ("simulate",),
    "The service": ("serve", "user", "token"),
}
_PANEL_OF = {name: panel for panel, names in PANELS.items() for name in names}
_ORDER = [name for names in PANELS.values() for name in names]


def _arrange() -> None:
    for command in app.registered_commands:
        command.rich_help_panel = _PANEL_OF.get(_name(command), "More")
    for group in app.registered_groups:
        group.rich_help_panel = _PANEL_OF.get(group.name or "", "More")
    app.registered_commands.sort(key=lambda c: _rank(_name(c)))
    app.registered_groups.sort(key=lambda g: _rank(g.name or ""))


def _name(command: CommandInfo) -> str:
    """The name typer shows: the given one, or the function's with dashes."""
    if command.name:
        return command.name
    return command.callback.__name__.replace("_", "-") if command.callback else ""


def _rank(name: str) -> int:
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


_arrange()


def main() -> None:
    app()


__all__ = ["app", "main"]
