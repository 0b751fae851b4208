"""The ``accueil`` command line.

``app`` is the front door (``accueil.cli.front``): its table names every command and the module
that holds it, imported only when the command runs. Command modules attach their commands to
``accueil.cli.app.app``.
"""

from __future__ import annotations

import sys

import accueil.cli.app  # noqa: F401  (the registry module, before ``app`` names the front door)
from accueil.cli.front import COMMANDS, PANELS, front

app = front


def main() -> None:
    # An argument that is not UTF-8 reaches Python as lone surrogates, which no store can keep
    # (a SQLite or PostgreSQL driver fails on them): refused here, naming the argument.
    # (Plain stderr: the console's module stays unloaded until a command runs.)
    from accueil.core.storable import unstorable
    from accueil.errors import says

    for n, given in enumerate(sys.argv[1:], 1):
        if (bad := unstorable(given)) is not None:
            said = says("argument %(n)s: %(reason)s", n=n, reason=bad[1])
            print(f"error: {said}", file=sys.stderr)
            raise SystemExit(2)
    app(prog_name="accueil")


__all__ = ["COMMANDS", "PANELS", "app", "main"]
