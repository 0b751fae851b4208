"""The whole operator (issue 10): export → import into an empty database → export gives the
same files, YAML and CSV, on SQLite and PostgreSQL; a re-import changes nothing; a bad entry
of any section refuses the whole import with its file and line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.rules import Scope
from accueil.demo.directory import generate_demo
from accueil.demo.furnish import furnish_demo
from accueil.errors import ValidationFailed
from accueil.services.availability import add_closure, add_delegation
from accueil.services.calendars import set_feed, upload_calendar
from accueil.services.callers import add_contact, set_caller_list, set_rota
from accueil.services.employee_policy import get_policy, set_policy
from accueil.services.exporting import export_csv, export_csv_texts, export_yaml
from accueil.services.onboarding import import_files, import_texts, load_directory
from accueil.services.rules import get_rules, save_rules
from accueil.services.scripts import Owner, save_script, versions
from accueil.services.vip_lists import get_vip_list, set_vip_list
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import AccountRow
from accueil.store.tables_availability import RuleVersionRow
from accueil.store.tables_scripts import ScriptVersionRow
from example_rotas import add_example_rotas

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FIRM = (EXAMPLES / "cabinet-martin.yaml").read_text(encoding="utf-8")
DUPONT = (EXAMPLES / "cabinet-martin.dupont.yaml").read_text(encoding="utf-8")
LAW_FIRM = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin"}],
    "groups": [{"account": "martin", "key": "associes", "name": "Associés"}],
    "people": [
        {"account": "martin", "key": "dupont", "first_name": "Claire", "last_name": "Dupont",
         "title": "Maître", "group": "associes",
         "devices": [{"key": "mobile", "kind": "mobile", "address": "06 12 34 56 78"}]},
        {"account": "martin", "key": "martin", "first_name": "Jeanne", "last_name": "Martin"},
    ],
}  # fmt: skip
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:b\r\n"
    "DTSTART;TZID=Europe/Paris:20261130T140000\r\nDTEND;TZID=Europe/Paris:20261130T150000\r\n"
    "SUMMARY:Comité de direction\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _operator(session: Session) -> None:
    """A demo operator, furnished, plus a law firm with every section filled."""
    generate_demo(session, accounts=3, people=30, agents=4, seed=3, now=T0)
    furnish_demo(session, seed=3, now=T0)
    load_directory(session, LAW_FIRM, source="test", now=T0)
    add_example_rotas(session, "martin")
    set_caller_list(session, "martin", "VIP", [("+33612345678", "=HYPERLINK(1)"), "+4420*"], now=T0)
    set_caller_list(session, "martin", "empty", [], name="Nobody yet", now=T0)
    add_contact(session, "martin", "01 40 00 00 99", "Dupont SA — M. Leroy", now=T0)
    mine = [("06 98 76 54 32", "Maman"), ("+44 20 7946 0958", "=cmd|' /C calc'!A0")]
    set_vip_list(session, "martin", "dupont", mine, now=T0)
    set_vip_list(session, "martin", "martin", [], now=T0)
    set_policy(session, "martin", {"mobile": False, "max_ring_seconds": 30}, now=T0)
    set_rota(
        session,
        "martin",
        {"key": "nights", "name": "Nuits", "shifts": [{"hours": "mon-fri 18:00-24:00",
         "contacts": ["06 11 11 11 11"]}, {"from": "2026-12-24", "to": "2026-12-26",
         "contacts": ["+33622222222", "+33633333333"]}]},
        now=T0,
    )  # fmt: skip
    person_rules = {
        "account": "martin",
        "person": "dupont",
        "rules": [
            {
                "name": "VIP → mobile",
                "when": {"caller_in_list": "VIP"},
                "then": {"type": "connect", "devices": [{"device": "mobile", "timeout": 20}]},
            }
        ],
    }
    save_rules(session, "martin", person_rules, saved_by="t", now=T0)
    group_rules = {"account": "martin", "group": "associes", "rules": []}
    save_rules(session, "martin", group_rules, saved_by="t", now=T0)
    save_script(session, "martin", Owner("account"), FIRM, file="cabinet-martin.yaml", now=T0)
    save_script(session, "martin", Owner("account"), FIRM + "\n# v2\n", now=T0)
    save_script(session, "martin", Owner("person", "dupont"), DUPONT, now=T0)
    add_closure(
        session,
        "martin",
        start=T0,
        end=datetime(2026, 12, 2, tzinfo=UTC),
        reason="Séminaire",
        now=T0,
    )
    add_delegation(session, "martin", "dupont", "martin", start=T0, note="congés", now=T0)
    add_delegation(
        session,
        "martin",
        "martin",
        "dupont",
        start=T0,
        end=datetime(2027, 1, 1, tzinfo=UTC),
        now=T0,
    )
    set_feed(session, "martin", "martin", "https://calendar.example/martin.ics", now=T0)
    upload_calendar(session, "martin", "dupont", ICS.encode(), now=T0)  # fmt: skip


@pytest.fixture
def source(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'source.db'}")
    migrate(engine)
    with transaction(session_factory(engine)) as s:
        _operator(s)
    return engine


def _files(engine: Engine, form: str, folder: Path) -> dict[str, bytes]:
    with Session(engine) as s:
        if form == "yaml":
            folder.mkdir(parents=True)
            (folder / "operator.yaml").write_text(export_yaml(s), encoding="utf-8")
        else:
            export_csv(s, folder)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("form", ["yaml", "csv"])
def test_export_import_into_an_empty_database_export_gives_the_same_files(
    source: Engine, engine: Engine, tmp_path: Path, form: str
) -> None:
    first = _files(source, form, tmp_path / "first")
    text = b"".join(first.values()).decode()
    for wanted in (
        "+4420*",
        "Nobody yet",
        "Dupont SA",
        "nights",
        "VIP → mobile",
        "Maître Dupont",
        "Séminaire",
        "congés",
        "calendar.example",
        "Comité de direction",
        "+33698765432=Maman" if form == "yaml" else "+33698765432,Maman",
        "max_ring_seconds: 30",
    ):
        assert wanted in text, wanted  # fmt: skip
    with transaction(session_factory(engine)) as s:
        report = import_files(s, sorted((tmp_path / "first").iterdir()), now=T0)
    assert "scripts: 5 saved" in report.lines()  # 3 demo accounts, the firm, Dupont
    assert _files(engine, form, tmp_path / "second") == first

    with transaction(session_factory(engine)) as s:
        again = import_files(s, sorted((tmp_path / "first").iterdir()), now=T0)
    assert again.lines() == ["nothing to change"]
    with Session(engine) as s:
        account = s.scalar(select(AccountRow.id).where(AccountRow.key == "martin"))
        count = select(func.count()).select_from
        rule_rows = count(RuleVersionRow).where(RuleVersionRow.account_id == account)
        assert s.scalar(rule_rows) == 2
        assert s.scalar(count(ScriptVersionRow).where(ScriptVersionRow.account_id == account)) == 2
        assert [v.saved_by for v in versions(s, "martin", Owner("account"))] == ["import"]
        assert get_rules(s, "martin", Scope.PERSON, "dupont").rules[0].name == "VIP → mobile"
        kept = get_policy(s, "martin")
        assert kept.version == 1 and kept.saved_by == "import" and kept.policy.mobile is False
        own = get_vip_list(s, "martin", "dupont")
        assert own.version == 1 and own.saved_by == "import"
        assert [c.name for c in own.contacts] == ["Maman", "=cmd|' /C calc'!A0"]


def test_the_operator_imports_from_text_in_memory_as_an_upload_would(
    source: Engine, sessions: sessionmaker[Session]
) -> None:
    with Session(source) as s:
        texts = export_csv_texts(s)
    uploads = [(name, text.encode()) for name, text in texts.items()]
    with transaction(sessions) as s:
        import_texts(s, uploads, now=T0)
    with Session(sessions.kw["bind"]) as s:
        assert export_csv_texts(s) == texts


def test_a_bad_entry_in_any_section_refuses_the_whole_import_with_its_line(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    bad = tmp_path / "operator.yaml"
    bad.write_text(
        "accounts:\n  - {key: acme, name: Acme}\n"
        "caller_lists:\n  - {account: acme, key: VIP, entries: ['not a number']}\n"
        "contacts:\n  - {account: acme, number: '+33140000000', name: Leroy, fax: x}\n"
        "rules:\n  - account: acme\n    person: nobody\n    rules: []\n"
        "closures:\n  - {account: acme, starts: 'next monday', ends: '2026-12-02'}\n"
        "vip_lists:\n  - {account: acme, person: nobody, entries: ['12']}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as s:
        import_files(s, [bad], now=T0)
    shown = [str(p) for p in caught.value.problems]
    assert shown[0] == (
        f"{bad}:6 field 'fax': unknown field 'fax'; contacts have account, name, number"
    )
    with Session(sessions.kw["bind"]) as s:
        assert s.scalar(select(func.count()).select_from(AccountRow)) == 0
    bad.write_text(bad.read_text(encoding="utf-8").replace(", fax: x", ""), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught, transaction(sessions) as s:
        import_files(s, [bad], now=T0)
    shown = [str(p) for p in caught.value.problems]
    assert len(shown) == 4, shown
    assert shown[0].startswith(f"{bad}:4 field 'entries[0]': ")
    assert shown[1] == f"{bad}:14: no person 'nobody' in account 'acme'"
    assert shown[2].startswith(f"{bad}:9 field 'person'") and "no person 'nobody'" in shown[2]
    assert shown[3].startswith(f"{bad}:12 field 'starts': 'next monday' is not a time")
    with Session(sessions.kw["bind"]) as s:
        assert s.scalar(select(func.count()).select_from(AccountRow)) == 0
