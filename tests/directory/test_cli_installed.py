"""The installed ``accueil`` command, in its own process, configured by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow  # starting the whole command line takes a few seconds
def test_the_installed_command_imports_a_file(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("key,name,country\nsmith,Smith Plumbing,GB\n", encoding="utf-8")
    env = {**os.environ, "ACCUEIL_DATABASE_URL": sqlite_url}
    command = [str(Path(sys.executable).parent / "accueil"), "import", str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "accounts: 1 created" in done.stdout
