"""Where command modules attach their commands (``@app.command()``, ``app.add_typer``).

This application is never run itself: the front door (``accueil.cli.front``) lists the commands
from its table and imports a command's module only when that command runs.
"""

from __future__ import annotations

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
