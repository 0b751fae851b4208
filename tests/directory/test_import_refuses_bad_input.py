"""Bad input: every problem named with file, line, column and reason; nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accueil.errors import ValidationFailed
from accueil.services.onboarding import import_files, load_directory
from accueil.store.db import transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes

Dump = Callable[[], object]  # the `dump` fixture: every row of every table

CASES = {
    "invalid number": (
        "numbers.csv",
        "number,account\n01 40 00,martin\n",
        "numbers.csv:2 column 'number': '01 40 00' is not a valid number in FR",
    ),
    "national number read in the account's country": (
        "numbers.csv",
        "number,account\n01 40 00 00 07,smith\n",
        "numbers.csv:2 column 'number': '01 40 00 00 07' is not a valid number in GB",
    ),
    "unknown account": (
        "people.yaml",
        "people:\n  - key: x\n    first_name: X\n    account: nobody\n",
        "people.yaml:4 field 'account': unknown account 'nobody'",
    ),
    "duplicate key": (
        "people.csv",
        "account,key,first_name\nmartin,x,X\nmartin,x,Y\n",
        "people.csv:3 column 'key': duplicate person 'x' (already at people.csv:2)",
    ),
    "unknown column": (
        "people.csv",
        "account,key,first_name,fax\nmartin,x,X,01\n",
        "people.csv:1 column 'fax': unknown column 'fax'",
    ),
    "unknown field": (
        "d.yaml",
        "accounts:\n  - key: a\n    name: A\n    timezon: Europe/Paris\n",
        "d.yaml:4 field 'timezon': unknown field 'timezon'",
    ),
    "bad time zone": (
        "accounts.csv",
        "key,name,timezone\nnew,New,Paris/France\n",
        "accounts.csv:2 column 'timezone': 'Paris/France' is not a time zone",
    ),
    "bad hours": (
        "d.yaml",
        "accounts:\n  - key: a\n    name: A\n    business_hours: mon-fri 9h-18h\n",
        "d.yaml:4 field 'business_hours': bad hours: '9h-18h'",
    ),
    "unknown group": (
        "people.csv",
        "account,key,first_name,group\nmartin,x,X,compta\n",
        "people.csv:2 column 'group': unknown group 'compta' in account 'martin'",
    ),
    "unknown device kind": (
        "people.csv",
        "account,key,first_name,devices\nmartin,x,X,fax:0140000000\n",
        "people.csv:2 column 'devices': 'fax' is not a device kind",
    ),
    "unknown person": (
        "numbers.csv",
        "number,account,person\n0140000009,martin,nobody\n",
        "numbers.csv:2 column 'person': unknown person 'nobody' in account 'martin'",
    ),
    "number claimed by another account": (
        "numbers.csv",
        "number,account\n+33 1 40 00 00 00,smith\n",
        "numbers.csv:2 column 'number': conflict: +33140000000 already leads to account 'martin'",
    ),
    "number claimed twice in the file": (
        "d.yaml",
        "numbers:\n  - {number: 01 40 00 00 09, account: martin}\n"
        "  - {number: '+33140000009', account: smith}\n",
        "d.yaml:3 field 'number': conflict: +33140000009 is claimed twice in this import "
        "(also at d.yaml:2)",
    ),
    "missing required field": (
        "agents.csv",
        "key,name,site\ncarol,,paris\n",
        "agents.csv:2 column 'name': name is required",
    ),
    "new account without a name": (
        "accounts.csv",
        "key,tier\nnewco,premium\n",
        "accounts.csv:2 column 'name': name is required for a new account",
    ),
    "new person without a name": (
        "people.yaml",
        "people:\n  - {account: martin, key: nobody, title: Ghost}\n",
        "people.yaml:2 field 'last_name': a new person needs a first_name or a last_name",
    ),
    "training on an unknown account": (
        "agents.csv",
        "key,name,trainings\ncarol,Carol,martin:2|nobody:1\n",
        "agents.csv:2 column 'trainings': unknown account 'nobody' in trainings",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_a_clear_error_and_nothing_changes(
    case: str, loaded: sessionmaker[Session], dump: Dump, tmp_path: Path
) -> None:
    name, content, expected = CASES[case]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = dump()
    with pytest.raises(ValidationFailed) as caught, transaction(loaded) as session:
        import_files(session, [path], now=NOW)
    messages = [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems]
    assert any(m.startswith(expected) for m in messages), messages
    assert dump() == before


def test_a_file_not_in_utf8_is_refused_and_nothing_changes(
    loaded: sessionmaker[Session], dump: Dump, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("account,key,last_name\nmartin,x,Lefèvre\n".encode("cp1252"))
    before = dump()
    with pytest.raises(ValidationFailed) as caught, transaction(loaded) as session:
        import_files(session, [path], now=NOW)
    assert caught.value.problems[0].line == 2
    assert "not UTF-8" in caught.value.problems[0].reason
    assert dump() == before


def test_every_problem_is_reported_not_just_the_first(
    loaded: sessionmaker[Session], tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text(
        "account,key,first_name,email,languages\n"
        "martin,ok,Ok,ok@example.com,fr\n"
        "martin,bad key,X,x@example.com,fr\n"
        "nobody,y,Y,not-an-email,fr\n"
        "martin,z,Z,z@example.com,french\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught, transaction(loaded) as session:
        import_files(session, [people], now=NOW)
    where = [(p.line, p.column) for p in caught.value.problems]
    assert where == [(3, "key"), (4, "account"), (4, "email"), (5, "languages")]


def test_one_bad_file_keeps_the_good_ones_out_too(
    loaded: sessionmaker[Session], dump: Dump, tmp_path: Path
) -> None:
    good = tmp_path / "accounts.csv"
    good.write_text("key,name\nnew,New Co\n", encoding="utf-8")
    bad = tmp_path / "numbers.csv"
    bad.write_text("number,account\n12,new\n", encoding="utf-8")
    before = dump()
    with pytest.raises(ValidationFailed), transaction(loaded) as session:
        import_files(session, [good, bad], now=NOW)
    assert dump() == before


def test_data_given_by_code_names_the_entry_that_is_wrong(
    loaded: sessionmaker[Session],
) -> None:
    data = {"people": [{"account": "martin", "key": "a", "first_name": "A", "email": "@"}]}
    with pytest.raises(ValidationFailed) as caught, transaction(loaded) as session:
        load_directory(session, data, source="seed", now=NOW)
    assert (
        str(caught.value.problems[0]) == "seed field 'people[0].email': '@' is not an email address"
    )


def _problems(sessions: sessionmaker[Session], *paths: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as session:
        import_files(session, list(paths), now=NOW)
    return [str(p).replace(str(paths[0].parent) + "/", "") for p in caught.value.problems]


def test_every_kind_of_problem_in_one_yaml_file_is_reported_at_once(
    loaded: sessionmaker[Session], dump: Dump, tmp_path: Path
) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "accounts:\n"
        "  - key: acme\n"  # 2
        "    name: Acme\n"
        "    timezone: Paris/France\n"  # 4
        "    business_hours: 9h-18h\n"  # 5
        "    colur: '#fff'\n"  # 6
        "  - {key: acme, name: Acme again}\n"  # 7
        "people:\n"
        "  - {account: nosuch, key: a, first_name: A}\n"  # 9
        "  - {account: acme, key: b, first_name: B, group: compta}\n"  # 10
        "numbers:\n"
        "  - {number: 01 40 00, account: martin}\n"  # 12
        "  - {number: 01 40 00 00 77, account: martin}\n"  # 13
        "  - {number: 01 40 00 00 77, account: acme}\n"  # 14
        "agents:\n"
        "  - {key: carol, name: Carol, trainings: {ghost: 2}}\n"  # 16
        "  - {key: carol, name: Carol again}\n",  # 17
        encoding="utf-8",
    )
    before = dump()
    where = [m.split(": ", 1)[0] for m in _problems(loaded, path)]
    assert where == [
        "d.yaml:4 field 'timezone'",
        "d.yaml:5 field 'business_hours'",
        "d.yaml:6 field 'colur'",
        "d.yaml:7 field 'key'",  # a duplicate, although the first acme is wrong
        "d.yaml:9 field 'account'",
        "d.yaml:10 field 'group'",  # checked against acme, which is in the file
        "d.yaml:12 field 'number'",
        "d.yaml:14 field 'number'",
        "d.yaml:16 field 'trainings'",
        "d.yaml:17 field 'key'",
    ]
    assert dump() == before


def test_entries_of_a_wrong_account_are_not_called_unknown(
    loaded: sessionmaker[Session], tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("key,name,timezone\nacme,Acme,Mars/Olympus\n", encoding="utf-8")
    people = tmp_path / "people.csv"
    people.write_text("account,key,first_name\nacme,a,A\nacme,b,B\n", encoding="utf-8")
    assert _problems(loaded, accounts, people) == [
        "accounts.csv:2 column 'timezone': 'Mars/Olympus' is not a time zone "
        "(write an IANA name such as Europe/Paris)"
    ]


def test_entries_of_an_account_with_a_wrong_country_are_left_unread(
    loaded: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "accounts: [{key: acme, name: Acme, country: Narnia}]\n"
        "numbers: [{number: 020 7946 0000, account: acme}]\n"
        "agents: [{key: carol, name: Carol, trainings: {acme: 2}}]\n",
        encoding="utf-8",
    )
    problems = _problems(loaded, path)
    assert len(problems) == 1
    assert problems[0].startswith("d.yaml:1 field 'country'")


def test_a_file_not_in_utf8_is_still_checked_and_others_may_refer_to_it(
    loaded: sessionmaker[Session], dump: Dump, tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_bytes(
        "key,name,timezone\nacme,Hélène & Cie,Europe/Paris\nbad,B,Nowhere\n".encode("latin-1")
    )
    people = tmp_path / "people.csv"
    people.write_text("account,key,first_name\nacme,a,A\n", encoding="utf-8")
    before = dump()
    problems = _problems(loaded, accounts, people)
    assert [p.split(": ", 1)[0] for p in problems] == [
        "accounts.csv:2",
        "accounts.csv:3 column 'timezone'",
    ]
    assert "not UTF-8: byte 0xe9" in problems[0]
    assert dump() == before
