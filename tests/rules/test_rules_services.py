"""Rules, caller lists, contacts and rotas in the store (SQLite and PostgreSQL); decisions
from the store; one account's data is never visible or usable from another."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import State
from accueil.core.rules import Scope
from accueil.errors import InvalidInput, NotFound, ValidationFailed
from accueil.services.availability import set_status
from accueil.services.callers import add_contact, caller_lists, get_rota, set_caller_list, set_rota
from accueil.services.decisions import decide_call
from accueil.services.onboarding import load_directory
from accueil.services.rules import check_text, get_rules, rule_versions, save_rules
from accueil.store.db import transaction
from accueil.store.tables_availability import RuleVersionRow

MONDAY_10 = datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the tests save and decide
DIRECTORY = {
    "accounts": [
        {
            "key": "martin",
            "name": "Cabinet Martin",
            "country": "FR",
            "business_hours": "mon-fri 09:00-18:00",
        },
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
    "groups": [{"account": "martin", "key": "associes", "name": "Associés"}],
    "people": [
        {
            "account": "martin",
            "key": "claire",
            "first_name": "Claire",
            "last_name": "Martin",
            "group": "associes",
            "devices": [{"key": "mobile", "kind": "mobile", "address": "06 12 34 56 78"}],
        },
        {
            "account": "martin",
            "key": "paul",
            "first_name": "Paul",
            "last_name": "Roy",
            "group": "associes",
        },
        {
            "account": "durand",
            "key": "zoe",
            "first_name": "Zoé",
            "last_name": "Durand",
            "devices": [{"key": "car", "kind": "mobile", "address": "06 99 99 99 99"}],
        },
    ],
    "numbers": [
        {"number": "01 40 00 00 00", "account": "martin"},
        {"number": "01 40 00 00 01", "account": "martin", "person": "claire"},
        {"number": "01 40 00 00 02", "account": "martin", "person": "paul"},
        {"number": "01 50 00 00 00", "account": "durand", "person": "zoe"},
    ],
}
VIP = "+33699887766"


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        set_caller_list(s, "martin", "VIP", [(VIP, "Le client"), "+44 20*"], now=NOW)
        set_caller_list(s, "durand", "famille", ["06 11 22 33 44"], now=NOW)
        set_rota(
            s,
            "martin",
            {
                "key": "nuits",
                "shifts": [{"hours": "mon-sun 18:00-24:00", "contacts": ["+33611111111"]}],
            },
            now=NOW,
        )
        add_contact(s, "martin", "01 45 00 00 00", "Dupont SA", now=NOW)
    return sessions


def _doc(
    owner: dict[str, str], rules: list[dict[str, Any]], account: str = "martin"
) -> dict[str, Any]:
    return {"account": account, **owner, "rules": rules}


VIP_RULE = {
    "name": "VIP → mobile",
    "when": {"caller_in_list": "VIP"},
    "then": {"type": "connect", "devices": [{"device": "mobile", "timeout": 20}]},
}


def test_each_save_is_a_new_version_and_old_ones_are_kept(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        first = save_rules(
            s, "martin", _doc({"person": "claire"}, [VIP_RULE]), saved_by="ops", now=MONDAY_10
        )
        second = save_rules(s, "martin", _doc({"person": "claire"}, []), now=MONDAY_10)
    assert (first.version, second.version) == (1, 2)
    with seeded() as s:
        assert get_rules(s, "martin", Scope.PERSON, "claire").rules == ()
        versions = rule_versions(s, "martin", Scope.PERSON, "claire")
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].rules[0].name == "VIP → mobile" and versions[1].saved_by == "ops"


def test_decisions_walk_person_group_and_account_rules_from_the_store(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_rules(s, "martin", _doc({"person": "claire"}, [VIP_RULE]), now=NOW)
        save_rules(
            s,
            "martin",
            _doc(
                {"group": "associes"},
                [
                    {
                        "name": "partners busy",
                        "when": {"availability": ["meeting"]},
                        "then": {"type": "message"},
                    }
                ],
            ),
            now=NOW,
        )
        save_rules(
            s,
            "martin",
            _doc(
                {},
                [
                    {
                        "name": "nights",
                        "when": {"account_open": False},
                        "then": {"type": "on_call", "rota": "nuits"},
                    }
                ],
            ),
            now=NOW,
        )
        set_status(s, "martin", "paul", State.MEETING, now=MONDAY_10)
    with seeded() as s:
        vip = decide_call(s, VIP, "01 40 00 00 01", now=MONDAY_10).decision
        paul = decide_call(s, "01 45 00 00 00", "+33140000002", now=MONDAY_10).decision
        switchboard = decide_call(
            s, "01 45 00 00 00", "01 40 00 00 00", now=MONDAY_10.replace(hour=19)
        ).decision
        day = decide_call(s, "01 45 00 00 00", "01 40 00 00 00", now=MONDAY_10).decision
    assert vip.rule == "VIP → mobile" and vip.targets[0].address == "+33612345678"
    assert "+33 6 99 88 77 66 is in list 'VIP' (Le client)" in vip.explanation
    assert (paul.scope, paul.rule) == (Scope.GROUP, "partners busy")
    assert "Paul is in a meeting (own status" in paul.explanation
    assert switchboard.contacts == ("+33611111111",) and switchboard.availability is None
    assert day.rule == "fallback"


def test_invalid_rules_are_refused_whole_with_paths(seeded: sessionmaker[Session]) -> None:
    bad = _doc(
        {"person": "claire"},
        [
            {"name": "a", "when": {"caller_in_list": "famille"}, "then": {"type": "message"}},
            {"name": "b", "then": {"type": "connect", "devices": [{"device": "car"}]}},
            {"name": "c", "then": {"type": "on_call", "rota": "weekend"}},
        ],
    )
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        save_rules(s, "martin", bad, now=NOW)
    assert [p.field for p in caught.value.problems] == [
        "rules[0].when.caller_in_list",
        "rules[1].then.devices[0].device",
        "rules[2].then.rota",
    ]
    with seeded() as s:
        assert get_rules(s, "martin", Scope.PERSON, "claire").version == 0


def test_a_refused_save_names_the_field_and_saves_nothing(seeded: sessionmaker[Session]) -> None:
    refusals = [
        ({"document": _doc({}, [], account="durand")}, "account"),
        ({"document": _doc({}, []), "limited": True}, "scope"),
        ({"document": _doc({"person": "claire"}, []), "saved_by": "x" * 101}, "saved_by"),
    ]
    for given, field in refusals:
        with pytest.raises(InvalidInput) as caught, transaction(seeded) as s:
            save_rules(s, "martin", **given, now=NOW)
        assert caught.value.details["field"] == field
    with seeded() as s:
        assert get_rules(s, "martin", Scope.PERSON, "claire").version == 0
        assert get_rules(s, "martin", Scope.ACCOUNT, "").version == 0
        assert get_rules(s, "durand", Scope.ACCOUNT, "").version == 0


def test_another_accounts_people_lists_and_devices_are_not_usable(
    seeded: sessionmaker[Session],
) -> None:
    with pytest.raises(ValidationFailed, match="1 problem") as caught, transaction(seeded) as s:
        save_rules(s, "martin", _doc({"person": "zoe"}, []), now=NOW)
    assert "no person 'zoe' in account 'martin'" in str(caught.value)
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        save_rules(
            s,
            "martin",
            _doc(
                {"person": "claire"},
                [{"name": "f", "when": {"caller_in_list": "famille"}, "then": {"type": "answer"}}],
            ),
            now=NOW,
        )
    assert "no caller list 'famille' (lists: VIP)" in str(caught.value)
    with pytest.raises(InvalidInput, match="for account 'durand'"), transaction(seeded) as s:
        save_rules(s, "martin", _doc({"person": "zoe"}, [], account="durand"), now=NOW)
    with seeded() as s:
        assert set(caller_lists(s, "durand")) == {"famille"}
        with pytest.raises(NotFound):
            get_rota(s, "durand", "nuits")
        with pytest.raises(NotFound):
            get_rules(s, "nobody", Scope.ACCOUNT)


def test_another_accounts_rules_never_apply_to_this_account(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        save_rules(
            s,
            "durand",
            _doc({}, [{"name": "all to voicemail", "then": {"type": "message"}}], account="durand"),
            now=NOW,
        )
    with seeded() as s:
        assert decide_call(s, VIP, "01 40 00 00 01", now=MONDAY_10).decision.rule == "fallback"
        assert (
            decide_call(s, VIP, "01 50 00 00 00", now=MONDAY_10).decision.rule == "all to voicemail"
        )


def test_caller_lists_normalise_numbers_and_refuse_bad_entries(
    seeded: sessionmaker[Session],
) -> None:
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        set_caller_list(s, "martin", "VIP", ["06 12 34 56 78", "12", "33 1*"], now=NOW)
    assert [p.field for p in caught.value.problems] == ["entries[1]", "entries[2]"]
    with seeded() as s:
        vip = caller_lists(s, "martin")["VIP"]
    assert {e.pattern for e in vip.entries} == {VIP, "+4420*"}  # unchanged


def test_rota_contacts_are_stored_in_e164(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        set_rota(s, "martin", {"key": "we", "shifts": [{"contacts": ["06 11 11 11 11"]}]}, now=NOW)
    with seeded() as s:
        assert get_rota(s, "martin", "we").shifts[0].contacts == ["+33611111111"]
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        set_rota(
            s,
            "martin",
            {"key": "we", "shifts": [{"contacts": ["+33611111111", "Dr Roy"]}]},
            now=NOW,
        )
    assert [p.field for p in caught.value.problems] == ["shifts[0].contacts[1]"]


def test_rotas_are_validated_with_paths(seeded: sessionmaker[Session]) -> None:
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        set_rota(
            s,
            "martin",
            {"key": "x", "shifts": [{"contacts": [], "hours": "mon 20:00-08:00"}]},
            now=NOW,
        )
    assert {p.field for p in caught.value.problems} == {"shifts[0].contacts", "shifts[0].hours"}


def test_check_text_reads_yaml_with_lines(seeded: sessionmaker[Session]) -> None:
    text = (
        "account: martin\nperson: claire\nrules:\n  - name: a\n"
        "    then: {type: connect, devices: [{device: fax}]}\n"
    )
    with pytest.raises(ValidationFailed) as caught, seeded() as s:
        check_text(s, text, "claire.yaml")
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (
        "claire.yaml",
        5,
        "rules[0].then.devices[0].device",
    )


def test_a_rule_cannot_name_another_accounts_dialled_number(
    seeded: sessionmaker[Session],
) -> None:
    durand_line = {
        "name": "d",
        "when": {"dialled": ["+33 1 50 00 00 00"]},
        "then": {"type": "reject"},
    }
    own_line = {"name": "m", "when": {"dialled": ["+33 1 40 00 00 00"]}, "then": {"type": "answer"}}
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        save_rules(s, "martin", _doc({"person": "claire"}, [own_line, durand_line]), now=NOW)
    assert [(p.field, p.reason) for p in caught.value.problems] == [
        ("rules[1].when.dialled[0]", "+33150000000 is not a number of this account")
    ]
    with transaction(seeded) as s:
        assert save_rules(s, "martin", _doc({"person": "claire"}, [own_line]), now=NOW).version == 1


def test_showing_rules_of_someone_outside_the_account_is_not_found(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_rules(
            s,
            "durand",
            _doc({"person": "zoe"}, [{"name": "all", "then": {"type": "message"}}], "durand"),
            now=NOW,
        )
    with seeded() as s:
        assert get_rules(s, "durand", Scope.PERSON, "zoe").version == 1
        with pytest.raises(NotFound, match="no person 'zoe' in account 'martin'"):
            get_rules(s, "martin", Scope.PERSON, "zoe")
        with pytest.raises(NotFound, match="no group 'associes' in account 'durand'"):
            rule_versions(s, "durand", Scope.GROUP, "associes")
        assert get_rules(s, "martin", Scope.GROUP, "associes").version == 0


def test_a_bad_rota_file_is_named_in_each_problem(seeded: sessionmaker[Session]) -> None:
    bad = {"key": "jour", "shifts": [{"contacts": ["abc"]}]}
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        set_rota(s, "martin", bad, file="jour.yaml", now=NOW)
    assert str(caught.value.problems[0]).startswith("jour.yaml field 'shifts[0].contacts[0]'")
    with seeded() as s, pytest.raises(NotFound):
        get_rota(s, "martin", "jour")


def test_names_too_long_for_the_store_are_refused_before_writing(
    seeded: sessionmaker[Session],
) -> None:
    # PostgreSQL would reject these mid-transaction; SQLite would keep them: both now refuse
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        set_caller_list(s, "martin", "k" * 65, [("+33 6 11 22 33 44", "x" * 201)], now=NOW)
    assert [p.field for p in caught.value.problems] == ["key", "entries[0].label"]
    with pytest.raises(ValidationFailed, match="15 digits"), transaction(seeded) as s:
        set_caller_list(s, "martin", "long", ["+33 1234567890123456*"], now=NOW)
    with pytest.raises(ValidationFailed), transaction(seeded) as s:
        add_contact(s, "martin", "01 45 00 00 01", "n" * 201, now=NOW)
    with pytest.raises(ValidationFailed, match="at most 200"), transaction(seeded) as s:
        set_rota(
            s,
            "martin",
            {"key": "r", "name": "n" * 201, "shifts": [{"contacts": ["+33611111111"]}]},
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="100 characters"), transaction(seeded) as s:
        save_rules(s, "martin", _doc({}, []), saved_by="b" * 101, now=NOW)
    with seeded() as s:
        assert set(caller_lists(s, "martin")) == {"VIP"}
        assert get_rules(s, "martin", Scope.ACCOUNT).version == 0


def test_a_stored_rule_that_no_longer_validates_is_skipped_and_said(
    seeded: sessionmaker[Session],
) -> None:
    # saved before a check was tightened (empty hours were once accepted): calls still decide
    with transaction(seeded) as s:
        save_rules(s, "martin", _doc({"person": "claire"}, [VIP_RULE]), now=NOW)
        row = s.scalars(select(RuleVersionRow)).one()
        row.rules = [
            {"name": "never", "when": {"hours": ""}, "then": {"type": "reject"}},
            *row.rules,
        ]
    with seeded() as s:
        vip = decide_call(s, VIP, "+33140000001", now=MONDAY_10).decision
        shown = get_rules(s, "martin", Scope.PERSON, "claire")
    assert [r.name for r in shown.rules] == ["VIP → mobile"]
    assert [b.rule for b in shown.broken] == ["never"]
    assert vip.rule == "VIP → mobile"
    assert vip.trace[0].rule == "never" and vip.trace[0].matched is False
    assert vip.trace[0].note.startswith("no longer valid (when.hours: empty hours are never open")
