"""The ``accueil`` command line.

``app`` is the front door (``accueil.cli.front``): its table names every command and the module
that holds it, imported only when the command runs. Command modules attach their commands to
``accueil.cli.app.app``.
"""

from __future__ import annotations

import accueil.cli.app  # noqa: F401  (the registry module, before ``app`` names the front door)
from accueil.cli.front import COMMANDS, PANELS, front

app = front


def main() -> None:
    app(prog_name="accueil")


__all__ = ["COMMANDS", "PANELS", "app", "main"]
