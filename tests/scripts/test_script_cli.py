"""The script, search and screenpop commands, end to end on a database file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from script_examples import EXAMPLES

from cli_support import cli_database, run_cli
from example_rotas import add_example_rotas

DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "languages": ["fr", "en"]}],
    "groups": [{"account": "martin", "key": "associes", "name": "Associés"}],
    "people": [
        {"account": "martin", "key": "dupont", "first_name": "Claire", "last_name": "Dupont",
         "title": "Maître", "group": "associes", "pronunciation": "du-PON"},
        {"account": "martin", "key": "martin", "first_name": "Jeanne", "last_name": "Martin",
         "title": "Maître"},
        {"account": "martin", "key": "lefevre", "first_name": "Sophie", "last_name": "Lefèvre",
         "title": "Comptable"},
    ],
    "numbers": [{"number": "01 40 00 00 01", "account": "martin", "person": "dupont"}],
}  # fmt: skip
FIRM = str(EXAMPLES / "cabinet-martin.yaml")
DUPONT = str(EXAMPLES / "cabinet-martin.dupont.yaml")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(
        tmp_path, monkeypatch, DIRECTORY, lambda s: add_example_rotas(s, "martin")
    )


def test_check_save_history_diff_rollback_and_show(database: str, tmp_path: Path) -> None:
    assert "ok — 13 steps, greetings in en, fr" in run_cli("script", "check", FIRM)
    run_cli("script", "save", "martin", FIRM, "--comment", "first")
    assert "ok — 13 steps" in run_cli("script", "check", DUPONT, "--for", "martin:dupont")
    run_cli("script", "save", "martin:dupont", DUPONT)
    changed = tmp_path / "dupont.yaml"
    changed.write_text(
        Path(DUPONT).read_text(encoding="utf-8").replace("secrétariat de", "bureau de"), "utf-8"
    )
    assert "saved version 2" in run_cli("script", "save", "martin:dupont", str(changed))
    history = run_cli("script", "history", "martin:dupont")
    assert "v1" in history and "v2 " in history and "v3" not in history
    diff = run_cli("script", "diff", "martin:dupont", "1", "2")
    assert "- {{ account.answer_name }}, secrétariat de Maître Dupont" in diff
    assert "+ {{ account.answer_name }}, bureau de Maître Dupont" in diff
    assert "version 3 = version 1" in run_cli("script", "rollback", "martin:dupont", "1")
    shown = run_cli("script", "show", "martin:dupont", "--version", "3")
    assert "(rollback to version 1)" in shown and "secrétariat de Maître Dupont" in shown


def test_a_bad_script_is_refused_with_file_line_and_reason(database: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "greetings: {fr: {office_hours: '{{ person.nmae }}'}}\n"
        "steps: [{id: m, action: take_message}]\n",
        encoding="utf-8",
    )
    out = run_cli("script", "check", str(bad), code=2)
    assert f"{bad}:1 field 'greetings.fr.office_hours': line 1, column 36: unknown variable" in out
    run_cli("script", "save", "martin", str(bad), code=2)
    run_cli("script", "show", "martin", code=1)  # nothing was saved


def test_a_layer_checked_alone_points_at_for(database: str, tmp_path: Path) -> None:
    layer = tmp_path / "urgent.yaml"
    layer.write_text("steps:\n  - id: urgent\n    ask: Urgent ?\n    type: yesno\n", "utf-8")
    out = run_cli("script", "check", str(layer), code=2)
    assert "checked as a whole script (for a group's or person's layer, add --for" in out
    assert f"{layer}:1 field 'greetings': no office_hours greeting in any language" in out
    run_cli("script", "save", "martin", FIRM)
    assert "ok — 13 steps" in run_cli("script", "check", str(layer), "--for", "martin:dupont")


def test_run_walks_the_script_with_the_answers_given(database: str) -> None:
    run_cli("script", "save", "martin", FIRM)
    out = run_cli("script", "run", "martin:dupont", "-a", "client=oui", "-a", "telephone=0612")
    assert "[ask] Êtes-vous déjà client du cabinet ? → oui" in out
    assert "? Puis-je avoir votre nom, s'il vous plaît ? (nom)" in out


def test_run_reads_the_situation_availability_and_caller_at_the_time_given(database: str) -> None:
    run_cli("script", "save", "martin", FIRM)
    run_cli("script", "save", "martin:dupont", DUPONT)
    answers = ("-a", "client=oui", "-a", "nom=Jean Leroy", "-a", "telephone=06 12 34 56 78",
               "-a", "dossier=", "-a", "urgent=oui")  # fmt: skip
    night = run_cli("script", "run", "martin:dupont", *answers, "--at", "2026-12-01T21:00+01:00")
    assert "greeting: Cabinet Martin, bonsoir. Le cabinet est fermé" in night
    assert "[branch] → astreinte (urgent = yes, after hours)" in night
    assert "= transfer (normal) → person martin" in night
    day = run_cli("script", "run", "martin:dupont", *answers, "--at", "2026-12-01T10:00+01:00")
    assert "greeting: Cabinet Martin, secrétariat de Maître Dupont, bonjour." in day
    assert "[branch] → transferer (urgent = yes, available)" in day
    assert "= patch_through (normal) → person dupont" in day


def test_run_refuses_an_answer_to_no_question_and_a_group(database: str) -> None:
    run_cli("script", "save", "martin", FIRM)
    out = run_cli("script", "run", "martin", "-a", "clent=oui", code=1)
    assert "no question 'clent' in this script (its questions: client, nom," in out
    assert "run the script of ACCOUNT or ACCOUNT:PERSON" in run_cli(
        "script", "run", "martin/group:associes", code=1
    )


def test_search_and_screenpop(database: str) -> None:
    assert "lefevre Sophie Lefèvre — Comptable" in run_cli("search", "martin", "Madame", "Lefeuvre")
    assert "martin:dupont" in run_cli("search", "*", "maître dupon")
    run_cli("script", "save", "martin", FIRM)
    run_cli("script", "save", "martin:dupont", DUPONT)
    pop = run_cli(
        "screenpop", "--to", "01 40 00 00 01", "--from", "06 12 34 56 78",
        "--at", "2026-12-01T14:00+01:00",
    )  # fmt: skip
    assert "Cabinet Martin (martin) — open until 18:00" in pop
    assert "Maître Claire Dupont say: du-PON" in pop
    assert 'greeting: "Cabinet Martin, secrétariat de Maître Dupont, bonjour."' in pop
    assert "first question: Êtes-vous déjà client du cabinet ?" in pop
    assert "caller: +33 6 12 34 56 78" in pop
    refused = run_cli("screenpop", "--to", "01 40 00 00 01", "--lang", "de", code=1)
    assert "--lang 'de': explanations are in en, fr" in refused
