"""The front door: a table of commands, each module imported only when its command runs."""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

import accueil
import accueil.cli
from accueil.cli import COMMANDS, app
from accueil.cli.app import app as registry
from accueil.cli.front import BY_NAME, load

# Modules of accueil.cli that hold no command of their own.
INFRASTRUCTURE = {"app", "common", "failures", "front"}


def _command_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(accueil.cli.__path__)]
    return [name for name in names if name not in INFRASTRUCTURE]


def test_every_command_a_module_defines_is_in_the_table() -> None:
    for module in _command_modules():
        importlib.import_module(f"accueil.cli.{module}")
    built = typer.main.get_group(registry)
    assert sorted(built.commands) == sorted(BY_NAME)


def test_the_table_names_the_module_and_help_of_each_command() -> None:
    for entry in COMMANDS:
        command = load(entry.name)
        assert command.callback is None or command.callback.__module__ == (
            f"accueil.cli.{entry.module}"
        ), entry.name
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert first == entry.help, f"{entry.name}: the table's help differs from the command's"


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    return done.stdout


def test_help_imports_no_command_module_nor_matplotlib() -> None:
    code = (
        "import sys\n"
        "from accueil.cli import main\n"
        "sys.argv = ['accueil', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m.startswith(('matplotlib', 'sqlalchemy', "
        "'accueil.services', 'accueil.sim', 'numpy'))]\n"
        "loaded = [m for m in sys.modules if m.startswith('accueil.cli.')]\n"
        "print('HEAVY', heavy)\nprint('LOADED', sorted(loaded))\n"
    )
    out = _python(code)
    assert "HEAVY []" in out
    assert "LOADED ['accueil.cli.app', 'accueil.cli.failures', 'accueil.cli.front']" in out


def test_status_does_not_import_matplotlib(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from accueil.cli import main\n"
        "sys.argv = ['accueil', 'status', 'nobody:here']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('PLOTS', [m for m in sys.modules if m.startswith('matplotlib')])\n"
    )
    env = {**os.environ, "ACCUEIL_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert "PLOTS []" in done.stdout
    assert "no account 'nobody'" in done.stderr or "nobody" in done.stderr


def test_version_and_python_dash_m() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"accueil {accueil.__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "accueil", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"accueil {accueil.__version__}"


def test_a_mistyped_command_is_told_the_close_name() -> None:
    result = CliRunner().invoke(app, ["statu"])
    assert result.exit_code == 2
    assert "Did you mean 'status'?" in result.output


def test_a_command_runs_after_its_help_was_listed() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--help"]).exit_code == 0
    result = runner.invoke(app, ["rules", "schema"])
    assert result.exit_code == 0, result.output
    assert '"$schema"' in result.output or '"properties"' in result.output
