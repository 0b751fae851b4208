"""The directory commands, as an operator types them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from accueil.cli import app
from accueil.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_demo_data_then_csv_export_then_import_changes_nothing(tmp_path: Path) -> None:
    code, out, _ = _run("demo-data", "--accounts", "3", "--people", "30", "--agents", "4")
    assert code == 0
    assert "people: 30 created" in out
    code, _, err = _run("export", "--format", "csv", "--out", str(tmp_path / "csv"))
    assert code == 0 and "people.csv" in err
    files = sorted(str(p) for p in (tmp_path / "csv").glob("*.csv"))
    code, out, _ = _run("import", *files)
    assert code == 0
    assert "nothing to change" in out


def test_yaml_export_goes_to_standard_output() -> None:
    _run("demo-data", "--accounts", "2", "--people", "5", "--agents", "2", "--seed", "1")
    code, out, _ = _run("export")
    assert code == 0
    document = yaml.safe_load(out)
    assert len(document["accounts"]) == 2 and len(document["people"]) == 5


def test_a_bad_file_exits_non_zero_naming_every_problem_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("account,key,first_name\nnobody,x,X\nnobody,bad key,Y\n", encoding="utf-8")
    code, out, err = _run("import", str(path))
    assert code == 2
    assert "3 problems found; nothing was changed" in err
    assert f"{path}:2 column 'account': unknown account 'nobody'" in err
    assert f"{path}:3 column 'key': 'bad key' is not a key" in err
    code, out, _ = _run("export")
    assert yaml.safe_load(out)["people"] == []


def test_dry_run_lists_what_would_change(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    path.write_text(
        "accounts:\n  - {key: martin, name: Cabinet Martin}\n"
        "people:\n  - {account: martin, key: jm, first_name: Jeanne}\n",
        encoding="utf-8",
    )
    code, out, _ = _run("import", "--dry-run", str(path))
    assert code == 0
    assert "dry run" in out and "create person martin/jm" in out
    assert "would: people: 1 created" in out
    assert yaml.safe_load(_run("export")[1])["accounts"] == []
    assert _run("import", str(path))[0] == 0
    code, out, _ = _run("import", "--dry-run", str(path))
    assert (code, out) == (
        0,
        "dry run: nothing was changed, and this import would change nothing\n"
        "  2 entries already up to date\n",
    )


def test_csv_export_needs_a_directory() -> None:
    code, _, err = _run("export", "--format", "csv")
    assert code == 1
    assert "give --out DIRECTORY" in err
