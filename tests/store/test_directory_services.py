"""Reading the directory: tenant first, every query filtered by the account."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accueil.errors import NotFound
from accueil.services import directory
from accueil.services.groups import remove_group
from accueil.store.tables import (
    AccountRow,
    AgentRow,
    GroupRow,
    NumberRow,
    PersonRow,
    TrainingRow,
)


@pytest.fixture
def two_accounts(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with sessions() as s, s.begin():
        martin = AccountRow(
            key="martin",
            name="Cabinet Martin",
            answer_name="Cabinet Martin, bonjour",
            languages=["fr"],
            business_hours="mon-fri 09:00-18:00",
        )
        plomb = AccountRow(key="plomberie", name="Plomberie Roux", answer_name="Plomberie Roux")
        s.add_all([martin, plomb])
        s.flush()
        s.add(GroupRow(account_id=martin.id, key="associes", name="Associés"))
        claire = PersonRow(
            account_id=martin.id,
            key="claire",
            first_name="Claire",
            last_name="Dupont",
            group_key="associes",
            languages=["fr", "en"],
            devices=[{"key": "mobile", "kind": "mobile", "address": "+33612345678"}],
        )
        gone = PersonRow(account_id=martin.id, key="gone", last_name="Left", active=False)
        paul = PersonRow(account_id=plomb.id, key="paul", first_name="Paul", last_name="Roux")
        s.add_all([claire, gone, paul])
        s.flush()
        s.add(NumberRow(e164="+33142685300", account_id=martin.id, raw="01 42 68 53 00"))
        s.add(NumberRow(e164="+33142685301", account_id=martin.id, person_id=claire.id))
        s.add(NumberRow(e164="+33491000000", account_id=plomb.id))
        agent = AgentRow(key="lea", name="Léa", site="A", languages=["fr"])
        s.add(agent)
        s.flush()
        s.add(TrainingRow(agent_id=agent.id, account_id=martin.id, level=3))
    return sessions


def test_a_direct_number_leads_to_its_person(two_accounts: sessionmaker[Session]) -> None:
    with two_accounts() as s:
        dest = directory.resolve_number(s, "+33142685301")
    assert dest.account.key == "martin"
    assert dest.person is not None and dest.person.full_name == "Claire Dupont"
    assert dest.person.device("mobile") is not None


def test_a_switchboard_number_leads_to_the_account_only(
    two_accounts: sessionmaker[Session],
) -> None:
    with two_accounts() as s:
        dest = directory.resolve_number(s, "+33142685300")
    assert dest.account.answer_name == "Cabinet Martin, bonjour"
    assert dest.person is None
    assert dest.number.raw == "01 42 68 53 00"


def test_an_unknown_number_says_so(two_accounts: sessionmaker[Session]) -> None:
    with two_accounts() as s, pytest.raises(NotFound, match="leads to no account"):
        directory.resolve_number(s, "+33100000000")


def test_people_of_another_account_are_not_visible(two_accounts: sessionmaker[Session]) -> None:
    with two_accounts() as s:
        assert [p.key for p in directory.list_people(s, "plomberie")] == ["paul"]
        with pytest.raises(NotFound):
            directory.get_person(s, "plomberie", "claire")
        assert [n.e164 for n in directory.list_numbers(s, "plomberie")] == ["+33491000000"]
        assert directory.list_groups(s, "plomberie") == []


def test_archived_people_are_kept_but_hidden_by_default(
    two_accounts: sessionmaker[Session],
) -> None:
    with two_accounts() as s:
        assert [p.key for p in directory.list_people(s, "martin")] == ["claire"]
        everyone = directory.list_people(s, "martin", archived=True)
    assert sorted(p.key for p in everyone) == ["claire", "gone"]


def test_agents_carry_their_trainings_and_the_summary_counts_rows(
    two_accounts: sessionmaker[Session],
) -> None:
    with two_accounts() as s:
        (lea,) = directory.list_agents(s)
        totals = directory.summary(s)
    assert lea.level_for("martin") == 3 and lea.level_for("plomberie") == 0
    assert (totals.accounts, totals.numbers, totals.agents) == (2, 3, 1)
    assert totals.groups == 1


def test_the_summary_counts_the_people_still_there_and_those_who_left_apart(
    two_accounts: sessionmaker[Session],
) -> None:
    with two_accounts() as s:
        totals = directory.summary(s)
    assert (totals.people, totals.left) == (2, 1)  # 'gone' left martin: kept, said apart


def test_the_summary_leaves_out_the_teams_taken_down(
    two_accounts: sessionmaker[Session],
) -> None:
    with two_accounts() as s, s.begin():
        remove_group(s, "martin", "associes", by="ana", now=datetime(2026, 12, 5, tzinfo=UTC))
    with two_accounts() as s:
        assert directory.summary(s).groups == 0  # kept (read in removed_groups), not counted


def test_an_unknown_account_is_not_found(two_accounts: sessionmaker[Session]) -> None:
    with two_accounts() as s, pytest.raises(NotFound, match="no account 'nobody'"):
        directory.list_people(s, "nobody")


def _tenant_functions() -> list[Callable[..., Any]]:
    """Every read of services.directory that takes an account (the tenant) after the session."""
    return [
        fn
        for _name, fn in inspect.getmembers(directory, inspect.isfunction)
        if fn.__module__ == directory.__name__
        and list(inspect.signature(fn).parameters)[1:2] == ["account"]
    ]


def _account_of(item: object) -> str:
    owner = getattr(item, "account", None)
    return owner if isinstance(owner, str) else str(getattr(item, "key", ""))


@pytest.mark.parametrize("account", ["martin", "plomberie"])
def test_every_read_that_takes_an_account_returns_only_that_accounts_rows(
    two_accounts: sessionmaker[Session], account: str
) -> None:
    other_person = {"martin": "paul", "plomberie": "claire"}[account]
    functions = _tenant_functions()
    assert {f.__name__ for f in functions} >= {"list_people", "get_person", "list_numbers"}
    with two_accounts() as s:
        for fn in functions:
            extra = {"person": other_person} if "person" in inspect.signature(fn).parameters else {}
            if extra:  # a person of the other account is not found through this one
                with pytest.raises(NotFound):
                    fn(s, account, **extra)
                continue
            found = fn(s, account)
            items = found if isinstance(found, list) else [found]
            assert {_account_of(i) for i in items} <= {account}, fn.__name__


def test_a_direct_number_never_leads_to_a_person_of_another_account(
    two_accounts: sessionmaker[Session],
) -> None:
    with two_accounts() as s, s.begin():
        paul = s.query(PersonRow).filter_by(key="paul").one()
        s.get_one(NumberRow, "+33142685300").person_id = paul.id  # a row written by hand
    with two_accounts() as s:
        dest = directory.resolve_number(s, "+33142685300")
    assert dest.account.key == "martin"
    assert dest.person is None
