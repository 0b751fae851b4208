"""Reading files: YAML keeps its real lines, CSV finds its kind, bytes must be UTF-8."""

from __future__ import annotations

from pathlib import Path

from accueil.directory_io.csv_source import read_csv
from accueil.directory_io.records import Kind
from accueil.directory_io.sources import decode, read_sources
from accueil.directory_io.yaml_source import read_yaml

YAML = """\
# a comment
accounts:
  - key: martin
    name: Cabinet Martin

people:
  - account: martin
    key: jm
    first_name: Jeanne
    active: no
numbers:
  - {number: 0140000000, account: martin}
"""


def test_yaml_records_know_the_line_of_each_field() -> None:
    records, problems, kinds = read_yaml(YAML, "d.yaml")
    assert problems == []
    assert kinds == {Kind.ACCOUNTS, Kind.PEOPLE, Kind.NUMBERS}
    person = next(r for r in records if r.kind is Kind.PEOPLE)
    assert person.line == 7
    assert person.lines is not None and person.lines["first_name"] == 9
    assert str(person.problem("bad", "first_name")) == "d.yaml:9 field 'first_name': bad"


def test_yaml_scalars_stay_as_written() -> None:
    records, _, _ = read_yaml(YAML, "d.yaml")
    number = next(r for r in records if r.kind is Kind.NUMBERS)
    person = next(r for r in records if r.kind is Kind.PEOPLE)
    # PyYAML would read 0140000000 as an octal integer and "no" as False.
    assert number.values["number"] == "0140000000"
    assert person.values["active"] == "no"


def test_a_yaml_field_written_twice_is_a_problem_on_its_second_line() -> None:
    text = "accounts:\n  - key: a\n    name: A\n    key: b\n"
    _, problems, _ = read_yaml(text, "d.yaml")
    assert [str(p) for p in problems] == [
        "d.yaml:4 field 'key': the field 'key' is written twice (first on line 2)"
    ]


def test_invalid_yaml_names_its_line() -> None:
    _, problems, _ = read_yaml("accounts:\n  - key: a\n   name: [\n", "d.yaml")
    assert len(problems) == 1
    assert problems[0].line is not None and problems[0].line >= 3
    assert "not valid YAML" in problems[0].reason


def test_yaml_merge_keys_fill_the_fields_not_written() -> None:
    text = (
        "people:\n"
        "  - &base {account: a, key: x, languages: [fr], first_name: X}\n"
        "  - <<: *base\n"
        "    key: y\n"
    )
    records, problems, _ = read_yaml(text, "d.yaml")
    assert problems == []
    assert records[1].values == {"account": "a", "key": "y", "languages": ["fr"], "first_name": "X"}


def test_an_unknown_section_is_a_problem() -> None:
    _, problems, _ = read_yaml("acounts:\n  - key: a\n", "d.yaml")
    assert "unknown section 'acounts'" in problems[0].reason
    assert problems[0].line == 1


def test_csv_kind_comes_from_option_then_name_then_header() -> None:
    header = "account,key,first_name\nmartin,jm,Jeanne\n"
    assert read_csv(header, "x.csv", Kind.PEOPLE)[2] is Kind.PEOPLE
    assert read_csv("account,key,name\na,b,c\n", "client-groups.csv")[2] is Kind.GROUPS
    assert read_csv(header, "export.csv")[2] is Kind.PEOPLE
    assert read_csv("number,account\n0140000000,a\n", "x.csv")[2] is Kind.NUMBERS


def test_csv_that_says_nothing_of_its_kind_is_refused() -> None:
    _, problems, kind = read_csv("foo,bar\n1,2\n", "data.csv")
    assert kind is None
    assert "pass --kind" in problems[0].reason


def test_csv_unknown_and_missing_columns_are_reported_on_the_header() -> None:
    _, problems, _ = read_csv("key,first_name,fax\njm,Jeanne,1\n", "people.csv")
    assert sorted(str(p) for p in problems) == [
        "people.csv:1 column 'account': missing column 'account'",
        "people.csv:1 column 'fax': unknown column 'fax'; people have " + _people_fields(),
    ]


def _people_fields() -> str:
    from accueil.directory_io.schema import FIELDS

    return ", ".join(FIELDS[Kind.PEOPLE])


def test_csv_lines_count_cells_that_span_lines() -> None:
    text = 'account,key,first_name,title\na,x,X,"two\nlines"\na,y,Y,\n'
    records, problems, _ = read_csv(text, "people.csv")
    assert problems == []
    assert [r.line for r in records] == [2, 4]


def test_csv_from_a_french_spreadsheet_uses_semicolons() -> None:
    records, _, _ = read_csv("account;key;last_name\na;x;Dupont, fils\n", "people.csv")
    assert records[0].values["last_name"] == "Dupont, fils"


def test_a_row_with_too_many_cells_is_a_problem() -> None:
    _, problems, _ = read_csv("account,key\na,x,extra\n", "groups.csv")
    assert str(problems[0]) == "groups.csv:2: 3 cells but the header has 2 columns"


def test_a_file_not_in_utf8_names_every_bad_line() -> None:
    data = "account,key,last_name\na,x,Lefèvre\na,y,Ok\na,z,Hélène\n".encode("latin-1")
    text, problems = decode(data, "people.csv")
    assert [p.line for p in problems] == [2, 4]
    assert "not UTF-8: byte 0xe8 at byte 8 of the line" in problems[0].reason
    # Still read, bad bytes replaced: the file's other problems can be found too.
    assert text.splitlines()[2] == "a,y,Ok"


def test_a_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_bytes("\ufeffaccount,key\na,x\n".encode())
    reading = read_sources([path])
    assert reading.problems == []
    assert reading.records[0].values == {"account": "a", "key": "x"}


def test_an_unknown_file_format_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"PK")
    assert "unknown format" in read_sources([path]).problems[0].reason


def test_an_alias_bomb_is_a_problem_not_a_hang() -> None:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")  # 10^9 values
    records, problems, _ = read_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert records == []
    assert [p.file for p in problems] == ["bomb.yaml"]
    assert "expand to too many values" in problems[0].reason


def test_an_alias_inside_itself_is_a_problem_not_a_crash() -> None:
    text = "people: &loop\n  - {account: a, key: x, first_name: X, more: *loop}\n"
    records, problems, _ = read_yaml(text, "loop.yaml")
    assert records == []
    assert [(p.line, p.reason) for p in problems] == [
        (1, "this collection holds an alias to itself: it never ends")  # the anchor's line
    ]


def test_a_merge_key_inside_its_own_mapping_is_a_problem_not_a_crash() -> None:
    text = "people:\n  - &p {account: a, key: x}\n  - &q {<<: *q, key: y}\n"
    _, problems, _ = read_yaml(text, "merge.yaml")
    assert [(p.line, p.reason) for p in problems] == [
        (3, "this collection holds an alias to itself: it never ends")
    ]


def test_a_quote_never_closed_is_a_problem_not_a_cell_that_eats_the_file() -> None:
    text = 'account,key,first_name\na,x,"Jeanne\na,y,Paul\n'
    records, problems, _ = read_csv(text, "people.csv")
    assert records == []
    assert [str(p) for p in problems] == [
        "people.csv:2: not valid CSV from this line on: unexpected end of data "
        "(a quote opened here is never closed)"
    ]


def test_a_cell_past_the_csv_field_limit_is_a_problem_not_a_crash() -> None:
    text = 'account,key,first_name\na,x,X\na,y,"' + "y" * 200_000 + '"\n'
    records, problems, _ = read_csv(text, "people.csv")
    assert [r.values["key"] for r in records] == ["x"]
    assert problems[0].line == 3
    assert "field larger than field limit" in problems[0].reason
