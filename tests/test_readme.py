"""The README's commands, run as written on a fresh database, print what the README shows.

The ``console`` block of "The command line" is a transcript: ``$ cd examples`` then ``$ accueil
…`` lines, each followed by its output. The commands run in a copy of ``examples/``; each output
line must match (a ``…`` line stands for any lines). The demo's sample calls (the block under
"What `make demo` shows") and the people it says are still there and have left must be what
``accueil demo`` prints for its default operator.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accueil.cli import app
from accueil.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _transcript() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) from the command line section's console block."""
    block = re.search(r"```console\n(.*?)```", _section("The command line"), re.S)
    assert block is not None, "README: no console block under 'The command line'"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line.rstrip())
    return steps


def _matches(expected: list[str], printed: list[str]) -> bool:
    """Every expected line in order; ``…`` stands for any number of lines."""
    if not expected:
        return not printed
    if expected[0] == "…":
        return any(_matches(expected[1:], printed[i:]) for i in range(len(printed) + 1))
    return bool(printed) and printed[0] == expected[0] and _matches(expected[1:], printed[1:])


@pytest.fixture
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", f"sqlite:///{tmp_path / 'readme.db'}")
    monkeypatch.setenv("COLUMNS", "100")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_command_line_section_prints_what_it_shows(
    fresh_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = _transcript()
    assert steps[0] == ("cd examples", [])
    folder = fresh_database / "examples"
    shutil.copytree(ROOT / "examples", folder)
    monkeypatch.chdir(folder)
    runner = CliRunner()
    for command, expected in steps[1:]:
        words = shlex.split(command, comments=True)
        assert words[0] == "accueil", command
        result = runner.invoke(app, words[1:])
        assert result.exit_code == 0, f"$ {command}\n{result.output}"
        printed = [line.rstrip() for line in result.output.splitlines()]
        assert _matches(expected, printed), (
            f"$ {command}\nREADME shows:\n" + "\n".join(expected) + "\nprinted:\n" + result.output
        )
    assert (folder / "directory.yaml").is_file()


def test_the_examples_the_readme_names_ship() -> None:
    named = set(re.findall(r"\(examples/([\w./-]+)\)", README))
    assert {"clients.yaml", "claire.yaml", "claire-script.yaml"} <= named
    for name in named:
        assert (ROOT / "examples" / name).is_file(), name


@pytest.mark.slow  # the default demo operator: 1,500 people
def test_the_demo_prints_the_calls_and_people_the_readme_shows(fresh_database: Path) -> None:
    block = re.search(r"```\n(Calls for .*?)```", _section("What `make demo` shows"), re.S)
    assert block is not None
    result = CliRunner().invoke(app, ["demo", "--no-simulate"])
    assert result.exit_code == 0, result.output
    printed = [line.rstrip() for line in result.output.splitlines()]
    shown = block.group(1).splitlines()
    start = printed.index(shown[0])
    assert printed[start : start + len(shown)] == shown
    said = re.search(r"the ([\d,]+) still there; the (\d+) who\s+have left", README)
    assert said is not None, "README: the demo's people still there and who left"
    here, left = (int(n.replace(",", "")) for n in said.groups())
    row = next(line for line in printed if line.startswith("│"))  # the summary's figures
    assert [int(cell) for cell in row.split("│")[1:-1]][2:4] == [here, left]
