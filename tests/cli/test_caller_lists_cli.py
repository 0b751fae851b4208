"""Caller lists and rotas at the command line: each save a new version, saved by ``--as``; a
save from a stale version is refused with nothing written; every version can be read again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import cli_database, run_cli

DIRECTORY = {"accounts": [{"key": "martin", "name": "Cabinet Martin"}]}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def test_a_list_saved_twice_keeps_its_first_version(database: str) -> None:
    first = run_cli("--as", "lea", "lists", "set", "martin", "VIP", "0698765432=Mme Roux")
    assert "version 1 has 1 entries" in first
    assert "version 2 has 1 entries" in run_cli(
        "lists", "set", "martin", "VIP", "+4420*", "--version", "1"
    )
    stale = run_cli("lists", "set", "martin", "VIP", "0611223344", "--version", "1", code=1)
    assert "is at version 2, not 1" in stale
    assert "+4420*" in run_cli("lists", "show", "martin", "VIP")
    kept = run_cli("lists", "show", "martin", "VIP", "--version", "1")
    assert "+33698765432=Mme Roux" in kept and "by lea" in kept
    history = run_cli("lists", "show", "martin", "VIP", "--history")
    assert history.index("version 2") < history.index("version 1")
    assert "no version 3" in run_cli("lists", "show", "martin", "VIP", "--version", "3", code=1)


ROTA = "key: nuit\nshifts:\n  - {hours: 'mon-sun 00:00-24:00', contacts: ['0611223344']}\n"
RULES = (
    "account: martin\nrules:\n"
    "  - {name: vip, when: {caller_in_list: VIP}, then: {type: reject}}\n"
    "  - {name: night, then: {type: on_call, rota: nuit}}\n"
)


def test_a_list_and_a_rota_are_taken_down_once_no_rule_names_them(
    database: str, tmp_path: Path
) -> None:
    (tmp_path / "rota.yaml").write_text(ROTA, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "none.yaml").write_text(
        "account: martin\nrules: [{name: all, then: {type: message}}]\n", encoding="utf-8"
    )
    run_cli("lists", "set", "martin", "VIP", "0698765432")
    run_cli("rota", "set", "martin", str(tmp_path / "rota.yaml"))
    run_cli("rules", "set", str(tmp_path / "rules.yaml"))
    used = run_cli("lists", "remove", "martin", "VIP", code=1)
    assert "account, rule 'vip' (rules[0].when.caller_in_list)" in used
    assert "rule 'night' (rules[1].then.rota)" in run_cli(
        "rota", "remove", "martin", "nuit", code=1
    )
    run_cli("rules", "set", str(tmp_path / "none.yaml"))
    assert "no longer used" in run_cli("--as", "lea", "lists", "remove", "martin", "VIP")
    assert "no longer used" in run_cli("rota", "remove", "martin", "nuit")
    shown = run_cli("lists", "show", "martin", "VIP")
    assert "# removed" in shown and "by lea" in shown.split("# removed")[1]
    assert "no caller list 'zz'" in run_cli("lists", "remove", "martin", "zz", code=1)


def test_a_rota_saved_twice_keeps_its_first_version(database: str, tmp_path: Path) -> None:
    (tmp_path / "rota.yaml").write_text(ROTA, encoding="utf-8")
    (tmp_path / "again.yaml").write_text(ROTA.replace("0611223344", "0655667788"), "utf-8")
    run_cli("--as", "lea", "rota", "set", "martin", str(tmp_path / "rota.yaml"))
    run_cli("--as", "max", "rota", "set", "martin", str(tmp_path / "again.yaml"))
    assert "+33655667788" in run_cli("rota", "show", "martin", "nuit")
    kept = run_cli("rota", "show", "martin", "nuit", "--version", "1")
    assert "+33611223344" in kept and "version 1" in kept and "by lea" in kept
    history = run_cli("rota", "show", "martin", "nuit", "--history")
    assert history.index("version 2") < history.index("version 1") and "by max" in history
    assert "no version 3" in run_cli("rota", "show", "martin", "nuit", "--version", "3", code=1)
