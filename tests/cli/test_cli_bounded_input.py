"""At the command line too, what the store cannot hold is refused before it reaches it, naming
the argument: an id or a version past its column (``common.ROW_ID``, ``BIG_ROW_ID``), and an
argument that is not UTF-8 (Python reads it as lone surrogates, which no driver can write)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from accueil.cli import main
from accueil.core.storable import BIGINT_MAX, INTEGER_MAX
from cli_support import cli_database, run_cli

DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin"}],
    "people": [{"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "M"}],
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("messages", "retry", "martin", str(BIGINT_MAX + 1)), "'delivery'"),
        (("script", "diff", "martin", "1", str(INTEGER_MAX + 1)), "'new'"),
        (("closure", "martin", "--remove", str(INTEGER_MAX + 1)), "'--remove'"),
        (("lists", "show", "martin", "vip", "--version", "0"), "'--version'"),
        (("rota", "show", "martin", "nuit", "--version", str(INTEGER_MAX + 1)), "'--version'"),
        (("messages", "list", "martin", "--limit", str(10**20)), "'--limit'"),
    ],
)
def test_a_number_past_its_column_is_refused_naming_the_argument(
    database: str, args: tuple[str, ...], named: str
) -> None:
    said = run_cli(*args, code=2)
    assert "Invalid value for" in said and named in said


def test_an_argument_that_is_not_utf8_is_refused_naming_it(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    not_utf8 = b"a\xffb".decode("utf-8", "surrogateescape")  # as Python reads argv
    monkeypatch.setattr(sys, "argv", ["accueil", "status", "martin:claire", "--note", not_utf8])
    with pytest.raises(SystemExit) as exit:
        main()
    assert exit.value.code == 2
    said = " ".join(capsys.readouterr().err.split())
    assert "argument 4: a lone surrogate (\\udcff) at position 2" in said
    assert "away" not in run_cli("status", "martin:claire")  # nothing was set
