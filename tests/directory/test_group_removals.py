"""Teams (groups) taken down, never deleted (SQLite and PostgreSQL): kept with who and when and
who was in it, their people out of them; refused, naming each place, while their own rules or
script layer, or a script step transferring to them, are in force; put back with their people.
A directory import that prunes a team keeps it the same way, and is refused whole while the
team is in use; listing it again puts it back. Another account removes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.rules import Scope
from accueil.errors import Conflict, NotFound, ValidationFailed
from accueil.services import directory
from accueil.services.directory import account_row
from accueil.services.groups import (
    group_record,
    groups_with_people,
    remove_group,
    removed_groups,
    restore_group,
)
from accueil.services.onboarding import load_directory
from accueil.services.rules import get_rules, save_rules
from accueil.services.scripts import Owner, save_script
from accueil.services.uses import group_uses
from accueil.store.db import transaction
from accueil.store.tables_outbox import OutboxRow
from statements import sent

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def _directory() -> dict[str, Any]:
    return {
        "accounts": [
            {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
            {"key": "durand", "name": "Durand SA", "country": "FR"},
        ],
        "groups": [
            {"account": "martin", "key": "compta", "name": "Comptabilité"},
            {"account": "martin", "key": "accueil", "name": "Accueil"},
        ],
        "people": [
            {"account": "martin", "key": "claire", "first_name": "Claire", "group": "compta"},
            {"account": "martin", "key": "paul", "first_name": "Paul", "group": "compta"},
            {"account": "martin", "key": "lea", "first_name": "Léa", "group": "accueil"},
        ],
    }


GROUP_RULES = {
    "account": "martin",
    "group": "compta",
    "rules": [{"name": "to the pool", "then": {"type": "message"}}],
}
TRANSFER = """name: x
greetings: {fr: {office_hours: Bonjour}}
steps:
  - id: compta
    action: transfer
    to: {group: compta}
"""


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, _directory(), source="test", now=NOW)
    return sessions


def _groups(s: Session) -> list[str]:
    return [g.key for g in directory.list_groups(s, "martin")]


def test_a_team_taken_down_is_kept_with_its_people_and_put_back_with_them(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        gone = remove_group(s, "martin", "compta", by="ana", now=LATER)
    assert (gone.removed_at, gone.removed_by, gone.members) == (LATER, "ana", ("claire", "paul"))
    with transaction(seeded) as s:
        assert _groups(s) == ["accueil"]
        assert directory.get_person(s, "martin", "claire").group == ""  # out of it
        assert group_record(s, "martin", "compta").members == ("claire", "paul")  # kept
        assert [g.key for g in removed_groups(s, "martin")] == ["compta"]
        assert remove_group(s, "martin", "compta", by="max", now=LATER).removed_by == "ana"
    with pytest.raises(ValidationFailed) as named, transaction(seeded) as s:
        save_rules(s, "martin", GROUP_RULES, now=LATER)  # a team taken down takes no rules
    assert "no group 'compta'" in str(named.value)
    with pytest.raises(NotFound), transaction(seeded) as s:  # nor a script layer
        save_script(s, "martin", Owner("group", "compta"), TRANSFER, now=LATER)
    with pytest.raises(ValidationFailed) as joined, transaction(seeded) as s:  # nor people
        load_directory(s, {"people": [{"account": "martin", "key": "lea", "group": "compta"}]},
                       source="move.yaml", now=LATER)  # fmt: skip
    assert "unknown group 'compta'" in str(joined.value)
    with transaction(seeded) as s:  # paul joined another team meanwhile: he stays there
        load_directory(s, {"people": [{"account": "martin", "key": "paul", "group": "accueil"}]},
                       source="test", now=LATER)  # fmt: skip
        back = restore_group(s, "martin", "compta", by="ana", now=LATER)
    assert (back.removed_at, back.members) == (None, ("claire",))
    with transaction(seeded) as s:
        assert _groups(s) == ["accueil", "compta"] and removed_groups(s, "martin") == []
        assert directory.get_person(s, "martin", "claire").group == "compta"
        # who was in it is not lost with the restore: the outbox keeps who left and who came back
        rows = s.execute(
            select(OutboxRow.name, OutboxRow.payload).where(OutboxRow.account == "martin")
        )
        said = {name: payload for name, payload in rows}
    assert said["group.removed"]["people"] == ["claire", "paul"]
    assert said["group.restored"]["people"] == ["claire"]


def test_a_team_in_use_is_not_taken_down(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        save_rules(s, "martin", GROUP_RULES, now=NOW)
        save_script(s, "martin", Owner("account"), TRANSFER, now=NOW)
    with pytest.raises(Conflict) as used, transaction(seeded) as s:
        remove_group(s, "martin", "compta", by="ana", now=LATER)
    assert used.value.details["uses"] == [
        "the rules of group 'compta' (version 1, 1 in force)",
        "the account's script (version 1), step 'compta' (steps[0].to.group)",
    ]
    with transaction(seeded) as s:
        assert _groups(s) == ["accueil", "compta"]
        assert directory.get_person(s, "martin", "claire").group == "compta"
        save_rules(s, "martin", {**GROUP_RULES, "rules": []}, now=NOW)
        message = TRANSFER.replace("transfer\n    to: {group: compta}", "take_message")
        save_script(s, "martin", Owner("account"), message, now=NOW)
        assert remove_group(s, "martin", "compta", by="ana", now=LATER).removed_at == LATER
        assert get_rules(s, "martin", Scope.GROUP, "compta").version == 2  # still readable


def test_an_import_that_drops_a_team_keeps_it_and_listing_it_puts_it_back(
    seeded: sessionmaker[Session],
) -> None:
    data = _directory()
    data["groups"] = data["groups"][1:]
    data["people"] = [{**p, "group": "accueil"} for p in data["people"]]
    with transaction(seeded) as s:
        report = load_directory(s, data, source="team.yaml", now=LATER, prune=True)
    assert "groups: 1 removed" in report.lines()
    with transaction(seeded) as s:
        kept = group_record(s, "martin", "compta")
        assert (kept.name, kept.removed_at, kept.removed_by) == (
            "Comptabilité",
            LATER,
            "import team.yaml",
        )
        assert _groups(s) == ["accueil"]
    with transaction(seeded) as s:
        load_directory(s, _directory(), source="again.yaml", now=LATER)
    with transaction(seeded) as s:
        assert _groups(s) == ["accueil", "compta"]
        assert group_record(s, "martin", "compta").members == ("claire", "paul")


def test_an_import_that_drops_a_team_in_use_is_refused_whole(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_rules(s, "martin", GROUP_RULES, now=NOW)
    data = _directory()
    data["groups"] = data["groups"][1:]
    data["people"] = [{**p, "group": "accueil", "title": "Me"} for p in data["people"]]
    for dry_run in (True, False):
        with pytest.raises(ValidationFailed) as refused, transaction(seeded) as s:
            load_directory(s, data, source="t.yaml", now=LATER, prune=True, dry_run=dry_run)
        (problem,) = refused.value.problems
        assert problem.field == "groups"
        assert "team 'compta' of account 'martin' is left out of the import" in problem.reason
        assert "the rules of group 'compta' (version 1, 1 in force)" in problem.reason
    with transaction(seeded) as s:  # nothing changed
        assert _groups(s) == ["accueil", "compta"]
        assert directory.get_person(s, "martin", "claire").group == "compta"
        assert directory.get_person(s, "martin", "claire").title == ""


def test_another_account_finds_no_team_to_take_down(seeded: sessionmaker[Session]) -> None:
    for act in (remove_group, restore_group):
        with pytest.raises(NotFound), transaction(seeded) as s:
            act(s, "durand", "compta", by="x", now=NOW)
    with transaction(seeded) as s:
        assert _groups(s) == ["accueil", "compta"] and removed_groups(s, "durand") == []
        with pytest.raises(NotFound):
            group_record(s, "durand", "compta")


def test_the_teams_in_use_are_read_together_each_as_kept(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        remove_group(s, "martin", "accueil", by="ana", now=LATER)
        assert groups_with_people(s, "martin") == [group_record(s, "martin", "compta")]
        assert groups_with_people(s, "martin")[0].members == ("claire", "paul")
        assert groups_with_people(s, "durand") == []


def test_what_names_a_team_reads_the_scripts_in_force_once(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        save_rules(s, "martin", GROUP_RULES, now=NOW)
        save_script(s, "martin", Owner("account"), TRANSFER, now=NOW)
        save_script(s, "martin", Owner("group", "compta"), TRANSFER, now=NOW)
    with seeded() as s:
        account = account_row(s, "martin").id
        with sent(s.get_bind()) as seen:
            uses = group_uses(s, account, "compta")
    assert uses == [
        "the rules of group 'compta' (version 1, 1 in force)",
        "the script of group 'compta' (version 1): its own layer",
        "the account's script (version 1), step 'compta' (steps[0].to.group)",
        "the script of group 'compta' (version 1), step 'compta' (steps[0].to.group)",
    ]
    # the team's rules in force, the script layers in force: before, the layers twice
    assert [("script_versions" in q, "rule_versions" in q) for q in seen] == [
        (False, True),
        (True, False),
    ]
