"""Caller lists and on-call rotas taken down (SQLite and PostgreSQL): kept with who and when,
left out of decisions and of what rules may name; refused, naming each place, while a rule in
force uses them; saved again, in use again; another account removes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.rules import Scope
from accueil.errors import Conflict, NotFound, ValidationFailed
from accueil.services.caller_lists import (
    caller_list_versions,
    caller_lists,
    get_caller_list,
    remove_caller_list,
    save_caller_list,
)
from accueil.services.callers import account_rotas, remove_rota, rota_record, set_rota
from accueil.services.onboarding import load_directory
from accueil.services.rotas import RotaRecord, removed_rotas
from accueil.services.rules import get_rules, save_rules
from accueil.store.db import transaction
from statements import sent

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
    "people": [{"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "M"}],
}
ROTA = {"key": "nuit", "shifts": [{"contacts": ["+33612345678"]}]}
USES_BOTH = {
    "account": "martin",
    "person": "claire",
    "rules": [
        {"name": "vip first", "when": {"caller_in_list": "VIP"}, "then": {"type": "message"}},
        {"name": "at night", "then": {"type": "on_call", "rota": "nuit"}},
    ],
}


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        save_caller_list(s, "martin", "VIP", ["06 98 76 54 32"], now=NOW)
        set_rota(s, "martin", ROTA, now=NOW)
    return sessions


def test_a_removed_list_and_rota_are_kept_and_no_longer_used(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        gone = remove_caller_list(s, "martin", "VIP", by="lea", now=LATER)
        off = remove_rota(s, "martin", "nuit", by="lea", now=LATER)
    assert (gone.removed_at, gone.removed_by, gone.version) == (LATER, "lea", 1)
    assert (off.removed_at, off.removed_by) == (LATER, "lea")
    with transaction(seeded) as s:
        assert caller_lists(s, "martin") == {} and account_rotas(s, "martin") == {}
        assert get_caller_list(s, "martin", "VIP").removed_by == "lea"  # kept
        assert [v.version for v in caller_list_versions(s, "martin", "VIP")] == [1]
        assert rota_record(s, "martin", "nuit").rota.shifts[0].contacts == ["+33612345678"]
        again = remove_caller_list(s, "martin", "VIP", by="max", now=LATER + timedelta(hours=1))
        assert again.removed_by == "lea"  # removing twice changes nothing
    with pytest.raises(ValidationFailed) as named, transaction(seeded) as s:
        save_rules(s, "martin", USES_BOTH, saved_by="x", now=LATER)  # a removed one is no more
    assert {p.field for p in named.value.problems} == {
        "rules[0].when.caller_in_list",
        "rules[1].then.rota",
    }
    with transaction(seeded) as s:  # saved again: in use again, as a new version
        back = save_caller_list(s, "martin", "VIP", ["06 11 22 33 44"], now=LATER)
        set_rota(s, "martin", ROTA, now=LATER)
    assert (back.version, back.removed_at) == (2, None)
    with transaction(seeded) as s:
        assert set(caller_lists(s, "martin")) == {"VIP"} and set(account_rotas(s, "martin"))


def test_a_list_or_rota_a_rule_in_force_names_is_not_removed(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_rules(s, "martin", USES_BOTH, saved_by="x", now=NOW)
    with pytest.raises(Conflict) as used, transaction(seeded) as s:
        remove_caller_list(s, "martin", "VIP", by="lea", now=LATER)
    assert used.value.details["uses"] == [
        "person 'claire', rule 'vip first' (rules[0].when.caller_in_list)"
    ]
    with pytest.raises(Conflict) as rota_used, transaction(seeded) as s:
        remove_rota(s, "martin", "nuit", by="lea", now=LATER)
    assert "person 'claire', rule 'at night' (rules[1].then.rota)" in str(rota_used.value)
    with transaction(seeded) as s:
        assert get_caller_list(s, "martin", "VIP").removed_at is None
        assert rota_record(s, "martin", "nuit").removed_at is None
        save_rules(s, "martin", {**USES_BOTH, "rules": USES_BOTH["rules"][1:]}, now=NOW)
        remove_caller_list(s, "martin", "VIP", by="lea", now=LATER)  # no rule names it now
        assert get_rules(s, "martin", Scope.PERSON, "claire").version == 2


def test_another_account_removes_nothing(seeded: sessionmaker[Session]) -> None:
    for remove in (remove_caller_list, remove_rota):
        with pytest.raises(NotFound), transaction(seeded) as s:
            remove(s, "durand", "VIP" if remove is remove_caller_list else "nuit", by="x", now=NOW)
    with transaction(seeded) as s:
        assert set(caller_lists(s, "martin")) == {"VIP"} and set(account_rotas(s, "martin"))


def _removed_rotas(sessions: sessionmaker[Session]) -> tuple[int, list[RotaRecord]]:
    """The account's rotas taken down, and how many statements reading them cost."""
    with sessions() as s, sent(s.get_bind()) as seen:
        found = removed_rotas(s, "martin")
    return len(seen), found


def test_the_rotas_taken_down_cost_the_same_statements_however_many(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        remove_rota(s, "martin", "nuit", by="lea", now=LATER)
    one, _ = _removed_rotas(seeded)
    keys = [f"r{i:02}" for i in range(30)]
    with transaction(seeded) as s:
        for i, key in enumerate(keys):
            set_rota(s, "martin", {**ROTA, "key": key}, now=NOW)
            if i % 2:  # a second version: the one in force is the one kept
                set_rota(s, "martin", {**ROTA, "key": key, "name": f"Nuit {i}"}, now=NOW)
            remove_rota(s, "martin", key, by=f"user{i}", now=LATER)
        set_rota(s, "martin", {**ROTA, "key": "jour"}, now=NOW)  # in use: not listed
    many, found = _removed_rotas(seeded)
    with transaction(seeded) as s:
        assert found == [rota_record(s, "martin", key) for key in ["nuit", *keys]]
    assert [(r.version, r.rota.name, r.removed_by) for r in found[1:3]] == [
        (1, "", "user0"),
        (2, "Nuit 1", "user1"),
    ]
    assert many == one  # the account, the rotas with their version in force: 3 a rota before
