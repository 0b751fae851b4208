"""The ``accueil`` command line. Each module of this package adds its commands to ``app``."""

from __future__ import annotations

import importlib
import pkgutil

from accueil.cli.app import app

# Command modules register themselves on import; discovering them keeps this file stable
# while features add their own modules.
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in {"app", "common"}:
        importlib.import_module(f"{__name__}.{_module.name}")


def main() -> None:
    app()


__all__ = ["app", "main"]
