"""Script versions in the store: every save a new version, diff, rollback, tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from script_examples import EXAMPLES
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.scripts.model import Situation
from accueil.errors import Conflict, InvalidInput, NotFound, ValidationFailed
from accueil.services.onboarding import load_directory
from accueil.services.scripts import (
    Owner,
    ScriptCache,
    diff,
    effective_script,
    get_version,
    rollback,
    save_script,
    versions,
)
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables_scripts import ScriptVersionRow
from example_rotas import add_example_rotas

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the tests save and decide
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin"},
        {"key": "clinique", "name": "Clinique du Parc"},
    ],
    "groups": [
        {"account": "martin", "key": "associes", "name": "Associés"},
        {"account": "clinique", "key": "pediatrie", "name": "Pédiatrie"},
    ],
    "people": [
        {"account": "martin", "key": "dupont", "first_name": "Claire", "last_name": "Dupont",
         "title": "Maître", "group": "associes"},
        {"account": "martin", "key": "martin", "first_name": "Jeanne", "last_name": "Martin"},
        {"account": "clinique", "key": "lebon", "first_name": "Paul", "last_name": "Lebon",
         "title": "Dr", "group": "pediatrie"},
    ],
}  # fmt: skip
FIRM = (EXAMPLES / "cabinet-martin.yaml").read_text(encoding="utf-8")
DUPONT = (EXAMPLES / "cabinet-martin.dupont.yaml").read_text(encoding="utf-8")
CLINIC = (EXAMPLES / "clinique-du-parc.yaml").read_text(encoding="utf-8")
PAEDIATRICS = (EXAMPLES / "clinique-du-parc.pediatrie.yaml").read_text(encoding="utf-8")
ACCOUNT, PERSON = Owner("account"), Owner("person", "dupont")
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        add_example_rotas(s, "martin", "clinique")
    return sessions


def _count(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(ScriptVersionRow)) or 0


def test_every_save_is_a_new_version_and_the_latest_is_used(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        first = save_script(s, "martin", ACCOUNT, FIRM, file="cabinet-martin.yaml", now=T0)
        second = save_script(
            s, "martin", ACCOUNT, FIRM.replace("Puis-je avoir", "Pourrais-je avoir"), now=T0
        )
    assert (first.version, second.version) == (1, 2)
    with seeded() as s:
        assert [v.version for v in versions(s, "martin", ACCOUNT)] == [1, 2]
        assert get_version(s, "martin", ACCOUNT).version == 2
        assert get_version(s, "martin", ACCOUNT, 1).source == FIRM
        script = effective_script(s, "martin", None)
        assert script.step("nom").text.startswith("Pourrais-je")
        assert script.ref == "account:2"


def test_diff_shows_what_changed_between_two_versions(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, FIRM, now=NOW)
        save_script(
            s, "martin", ACCOUNT, FIRM.replace("Puis-je avoir", "Pourrais-je avoir"), now=NOW
        )
        text = diff(s, "martin", ACCOUNT, 1, 2)
    assert "--- martin account v1" in text
    assert "-    ask: Puis-je avoir votre nom, s'il vous plaît ?" in text
    assert "+    ask: Pourrais-je avoir votre nom, s'il vous plaît ?" in text


def test_rollback_is_a_new_version_equal_to_the_old_one_and_loses_nothing(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, FIRM, now=NOW)
        save_script(
            s, "martin", ACCOUNT, FIRM.replace("Puis-je avoir", "Pourrais-je avoir"), now=NOW
        )
        back = rollback(s, "martin", ACCOUNT, 1, saved_by="lead", now=NOW)
    assert back.version == 3 and back.comment == "rollback to version 1"
    with seeded() as s:
        history = versions(s, "martin", ACCOUNT)
        assert [v.version for v in history] == [1, 2, 3]
        assert history[2].source == history[0].source != history[1].source
        assert diff(s, "martin", ACCOUNT, 1, 3) == ""


def test_a_person_layer_overrides_the_account_and_group_layers(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, FIRM, now=NOW)
        save_script(s, "martin", PERSON, DUPONT, now=NOW)
        save_script(s, "clinique", ACCOUNT, CLINIC, now=NOW)
        save_script(s, "clinique", Owner("group", "pediatrie"), PAEDIATRICS, now=NOW)
    with seeded() as s:
        dupont = effective_script(s, "martin", "dupont")
        assert dupont.ref == "account:1+person:dupont:1"
        assert "délai de procédure" in dupont.step("urgent").text
        assert effective_script(s, "martin", "martin").ref == "account:1"
        lebon = effective_script(s, "clinique", "lebon")
        assert lebon.ref == "account:1+group:pediatrie:1"
        assert lebon.has_step("parent")


def test_a_refused_save_changes_nothing_and_says_where(seeded: sessionmaker[Session]) -> None:
    broken = FIRM.replace("{{ person.last_name }}'s office", "{{ person.lastname }}'s office")
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, broken, file="cabinet-martin.yaml", now=NOW)
    problem = caught.value.problems[0]
    assert problem.file == "cabinet-martin.yaml" and problem.line == 18
    assert problem.reason.startswith("line 18, column 10: unknown variable 'person.lastname'")
    with seeded() as s:
        assert _count(s) == 0


def test_an_on_call_rota_the_account_does_not_have_is_refused(
    seeded: sessionmaker[Session],
) -> None:
    elsewhere = FIRM.replace("rota: permanence", "rota: medecin-de-garde")  # the clinic's rota
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, elsewhere, file="cabinet-martin.yaml", now=NOW)
    (problem,) = caught.value.problems
    assert problem.reason == "no on-call rota 'medecin-de-garde' in this account (permanence)"
    assert problem.line is not None
    with seeded() as s:
        assert _count(s) == 0


def test_an_account_save_that_would_break_a_persons_script_is_refused(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, FIRM, now=NOW)
        save_script(s, "martin", PERSON, DUPONT, now=NOW)
    # the firm drops the "urgent" question that Dupont's layer redefines, and its branch:
    # Dupont's layer would add back a question nobody branches on, fine; but dropping
    # "astreinte" leaves Dupont's override of it unreachable yet valid. Drop "nom" instead,
    # which Dupont's transfer note does not use; so break on a transfer target:
    firm_without_martin_rota = FIRM.replace("l'avocat de permanence", "l'associé de permanence")
    with transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, firm_without_martin_rota, now=NOW)
    broken_person = DUPONT.replace("person: martin", "person: personne")
    with pytest.raises(ValidationFailed, match="1 problem") as caught, transaction(seeded) as s:
        save_script(s, "martin", PERSON, broken_person, now=NOW)
    assert "no person 'personne' in this account" in caught.value.problems[0].reason
    uses_a_question = DUPONT + (
        "  - id: noter\n    action: take_message\n    note: Merci {{ answers.objet }}.\n"
    )
    with transaction(seeded) as s:
        save_script(s, "martin", PERSON, uses_a_question, now=NOW)
    without_objet = FIRM.replace("  - id: objet\n    ask: Quel est l'objet de votre appel ?\n"
                                 "    label: Objet\n", "")  # fmt: skip
    with pytest.raises(ValidationFailed) as caught, transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, without_objet, now=NOW)
    assert "unknown variable 'answers.objet'" in caught.value.problems[0].reason
    with seeded() as s:
        assert [v.version for v in versions(s, "martin", ACCOUNT)] == [1, 2]


def test_one_account_never_sees_or_writes_another_accounts_scripts(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, FIRM, now=NOW)
        save_script(s, "martin", PERSON, DUPONT, now=NOW)
    with seeded() as s:
        assert versions(s, "clinique", ACCOUNT) == []
        with pytest.raises(NotFound, match="no person 'dupont' in account 'clinique'"):
            versions(s, "clinique", PERSON)
        with pytest.raises(NotFound, match="no person 'dupont' in account 'clinique'"):
            get_version(s, "clinique", PERSON)
        with pytest.raises(NotFound, match="no script saved for account 'clinique' yet"):
            get_version(s, "clinique", ACCOUNT)
        with pytest.raises(NotFound):
            effective_script(s, "clinique", "dupont")  # Dupont is Martin's, not the clinic's
    with pytest.raises(NotFound), transaction(seeded) as s:
        save_script(s, "clinique", PERSON, DUPONT, now=NOW)
    with pytest.raises(NotFound), transaction(seeded) as s:
        save_script(s, "clinique", Owner("group", "associes"), DUPONT, now=NOW)
    with transaction(seeded) as s:
        assert (
            save_script(s, "clinique", ACCOUNT, CLINIC, now=NOW).version == 1
        )  # its own numbering
    with seeded() as s:
        assert _count(s) == 3


def test_a_missing_account_version_or_script_is_a_clear_not_found(
    seeded: sessionmaker[Session],
) -> None:
    with seeded() as s:
        with pytest.raises(NotFound, match="no account 'nobody'"):
            versions(s, "nobody", ACCOUNT)
        with pytest.raises(ValidationFailed, match="1 problem"):
            effective_script(s, "martin", None)
    with transaction(seeded) as s:
        save_script(s, "martin", ACCOUNT, FIRM, now=NOW)
    with seeded() as s:
        with pytest.raises(NotFound, match=r"no version 7 of the account script of 'martin' \(it"):
            get_version(s, "martin", ACCOUNT, 7)
        with pytest.raises(NotFound, match="the person 'martin' has no script layer of its own"):
            get_version(s, "martin", Owner("person", "martin"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("martin", ("martin", Owner("account"))),
        ("martin/dupont", ("martin", Owner("person", "dupont"))),
        ("martin:dupont", ("martin", Owner("person", "dupont"))),
        ("martin:group:associes", ("martin", Owner("group", "associes"))),
        ("martin/group:associes", ("martin", Owner("group", "associes"))),
    ],
)
def test_owners_are_written_account_slash_person_or_group(
    text: str, expected: tuple[str, Owner]
) -> None:
    assert Owner.parse(text) == expected


@pytest.mark.parametrize("text", ["", "/dupont", "martin/", "martin/group:"])
def test_a_badly_written_owner_is_refused_with_the_forms_to_use(text: str) -> None:
    with pytest.raises(InvalidInput, match="ACCOUNT:PERSON"):
        Owner.parse(text)


def test_two_saves_racing_for_the_same_version_end_in_a_clear_conflict(
    seeded: sessionmaker[Session],
) -> None:
    # Another session saves version 1 between this save's look-up of the next number and its
    # write: the unique (owner, version) refuses the second, which says what to do.
    with seeded() as s:
        s.execute(select(ScriptVersionRow.id)).all()  # this session is under way

        @event.listens_for(s, "before_flush", once=True)
        def _meanwhile(*_: object) -> None:
            with transaction(seeded) as other:
                save_script(other, "martin", ACCOUNT, FIRM, comment="the other one", now=NOW)

        with pytest.raises(Conflict, match="version 1 of the account script of 'martin' was"):
            save_script(s, "martin", ACCOUNT, FIRM, comment="this one", now=NOW)
        s.rollback()
    with seeded() as s:
        assert [v.comment for v in versions(s, "martin", ACCOUNT)] == ["the other one"]


def test_the_script_cache_never_serves_one_databases_script_to_another(tmp_path: Path) -> None:
    # Row ids restart in every database (and are reused after a rollback): two databases in
    # one process, same ids, different texts. The cache is keyed by what the layers say.
    cache = ScriptCache()
    greetings = []
    for name, text in (("one", FIRM), ("two", FIRM.replace("Le cabinet est fermé", "Fermé"))):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        migrate(engine)
        with transaction(session_factory(engine)) as s:
            load_directory(s, DIRECTORY, source="test", now=NOW)
            add_example_rotas(s, "martin", "clinique")
            save_script(s, "martin", ACCOUNT, text, now=NOW)
        with session_factory(engine)() as s:
            script = cache.script(s, "martin", "dupont")
            greetings.append(script.greetings["fr"][Situation.AFTER_HOURS])
        engine.dispose()
    assert "Le cabinet est fermé" in greetings[0]
    assert "Le cabinet est fermé" not in greetings[1] and "Fermé" in greetings[1]
