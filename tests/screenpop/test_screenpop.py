"""The screen pop: everything the agent sees when a call is offered, read from the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import State
from accueil.core.scripts.model import ActionKind, Urgency
from accueil.core.scripts.runner import ScriptOutcome, TakenMessage, greeting
from accueil.errors import InvalidInput, NotFound
from accueil.services.availability import add_delegation, default_policy, set_status
from accueil.services.callers import add_contact
from accueil.services.calls import CallRecord, record_call
from accueil.services.clock import FixedClock
from accueil.services.onboarding import load_directory
from accueil.services.rules import save_rules
from accueil.services.screenpop import PopCache, screen_pop, script_context
from accueil.services.script_preview import preview
from accueil.services.scripts import Owner, effective_script, save_script
from accueil.store.db import transaction
from example_rotas import add_example_rotas

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scripts"
NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # Tuesday 14:00 in Paris
NIGHT = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
CHRISTMAS = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)
DIRECT, SWITCHBOARD, CLINIC = "+33140000001", "+33140000000", "+33150000000"
CALLER = "06 12 34 56 78"
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "answer_name": "Cabinet Martin",
         "languages": ["fr", "en"], "colour": "#8a1c2b",
         "notes": "Never give out the partners' mobile numbers."},
        {"key": "clinique", "name": "Clinique du Parc"},
    ],
    "groups": [{"account": "martin", "key": "associes", "name": "Associés"}],
    "people": [
        {"account": "martin", "key": "dupont", "first_name": "Claire", "last_name": "Dupont",
         "title": "Maître", "group": "associes", "pronunciation": "du-PON"},
        {"account": "martin", "key": "martin", "first_name": "Jeanne", "last_name": "Martin",
         "title": "Maître"},
    ],
    "numbers": [
        {"number": "01 40 00 00 00", "account": "martin"},
        {"number": "01 40 00 00 01", "account": "martin", "person": "dupont"},
        {"number": "01 50 00 00 00", "account": "clinique"},
    ],
}  # fmt: skip


def _message(urgency: Urgency = Urgency.NORMAL) -> ScriptOutcome:
    fields = (("nom", "Nom", "Jean Leroy"), ("objet", "Objet", "Audience du 3"))
    return ScriptOutcome(
        ActionKind.TAKE_MESSAGE,
        "noter",
        TakenMessage("dupont", "+33612345678", "", urgency, fields),
    )


@pytest.fixture
def office(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        add_example_rotas(s, "martin")
        firm = (EXAMPLES / "cabinet-martin.yaml").read_text(encoding="utf-8")
        own = (EXAMPLES / "cabinet-martin.dupont.yaml").read_text(encoding="utf-8")
        save_script(s, "martin", Owner("account"), firm, now=NOW)
        save_script(s, "martin", Owner("person", "dupont"), own, now=NOW)
        add_contact(s, "martin", CALLER, "Dupont SA — M. Leroy", now=NOW)
        for days, urgency in ((3, Urgency.NORMAL), (1, Urgency.URGENT)):
            record_call(
                s,
                "martin",
                CallRecord(
                    "+33612345678", DIRECT, NOW - timedelta(days=days), person="dupont",
                    agent="alice", script_ref="account:1+person:dupont:1",
                    outcome=_message(urgency),
                ),
            )  # fmt: skip
        # the same number called another client: none of Martin's business
        record_call(s, "clinique", CallRecord("+33612345678", CLINIC, NOW, agent="alice"))
    return sessions


def test_the_pop_shows_account_person_decision_script_caller_and_familiarity(
    office: sessionmaker[Session],
) -> None:
    with transaction(office) as s:
        until = NOW + timedelta(hours=2)
        set_status(s, "martin", "dupont", State.MEETING, until=until, note="Comité", now=NOW)
        add_delegation(s, "martin", "dupont", "martin", start=NOW - timedelta(hours=1), now=NOW)
    with office() as s:
        pop = screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW)
    assert (pop.account.answer_name, pop.account.colour) == ("Cabinet Martin", "#8a1c2b")
    assert pop.account.notes == "Never give out the partners' mobile numbers."
    assert pop.account.hours_now == "open until 18:00" and pop.account.open
    person = pop.person
    assert person is not None
    assert (person.name, person.pronunciation, person.title) == (
        "Claire Dupont",
        "du-PON",
        "Maître",
    )
    assert person.group == "Associés"
    assert (person.state, person.source, person.back_at) == ("meeting", "manual", "16:00")
    assert person.availability.startswith("Claire Dupont is in a meeting (own status")
    assert person.delegate == "Jeanne Martin" and person.stale == ""
    assert pop.treatment == "answer" and pop.rule == "fallback"
    assert "Claire is in a meeting" in pop.explanation
    assert pop.script.ref == "account:1+person:dupont:1"
    assert pop.script.greeting is not None
    assert pop.script.greeting.text == "Cabinet Martin, secrétariat de Maître Dupont, bonjour."
    assert pop.script.greeting.pronunciation == "du-PON"
    assert pop.script.first is not None and pop.script.first.prompt is not None
    assert pop.script.first.prompt.text == "Êtes-vous déjà client du cabinet ?"
    assert (pop.caller.number, pop.caller.known_name) == (
        "+33 6 12 34 56 78",
        "Dupont SA — M. Leroy",
    )
    assert [(c.outcome, c.urgency) for c in pop.caller.history] == [
        ("take_message", "urgent"),
        ("take_message", "normal"),
    ]
    assert pop.caller.history[0].summary == "Nom: Jean Leroy; Objet: Audience du 3"
    assert pop.caller.history[0].person == "Claire Dupont"
    assert pop.familiar.account and pop.familiar.person
    assert pop.familiar.account_calls == 2  # the clinic's call is not Martin's


def test_a_stranger_agent_and_an_unknown_caller(office: sessionmaker[Session]) -> None:
    with office() as s:
        pop = screen_pop(s, DIRECT, "+44 20 7946 0958", agent="bob", now=NOW)
    assert pop.caller.known_name == "" and pop.caller.history == ()
    assert not pop.familiar.account and not pop.familiar.person


def test_a_withheld_number_has_no_history(office: sessionmaker[Session]) -> None:
    with office() as s:
        pop = screen_pop(s, DIRECT, "anonymous", agent="alice", now=NOW)
    assert (pop.caller.number, pop.caller.history) == ("withheld", ())


def test_after_hours_and_holidays_change_the_greeting_and_the_hours_shown(
    office: sessionmaker[Session],
) -> None:
    with office() as s:
        night = screen_pop(s, SWITCHBOARD, CALLER, now=NIGHT)
        christmas = screen_pop(s, SWITCHBOARD, CALLER, now=CHRISTMAS)
    assert night.person is None
    assert night.account.hours_now == "closed, opens Wed 09:00"
    assert night.script.greeting is not None
    assert "Le cabinet est fermé ;" in night.script.greeting.text
    assert christmas.account.hours_now == "closed (Christmas Day), opens Mon 09:00"
    assert christmas.script.greeting is not None
    assert "fermé aujourd'hui" in christmas.script.greeting.text


def test_an_account_without_a_script_says_so(office: sessionmaker[Session]) -> None:
    with office() as s:
        pop = screen_pop(s, CLINIC, CALLER, agent="alice", now=NOW)
    assert pop.script.greeting is None
    assert pop.script.problem == "no script saved for this account"
    assert pop.caller.known_name == ""  # Martin's contact is not the clinic's
    assert len(pop.caller.history) == 1


def test_the_warm_cache_gives_the_same_pop_and_sees_new_statuses_and_scripts(
    office: sessionmaker[Session],
) -> None:
    cache = PopCache(FixedClock(NOW))
    with office() as s:
        assert cache.screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW) == screen_pop(
            s, DIRECT, CALLER, agent="alice", now=NOW
        )
    with transaction(office) as s:
        set_status(s, "martin", "dupont", State.AWAY, now=NOW)
        firm = (EXAMPLES / "cabinet-martin.dupont.yaml").read_text(encoding="utf-8")
        save_script(
            s,
            "martin",
            Owner("person", "dupont"),
            firm.replace("secrétariat", "bureau"),
            now=NOW,
        )
    with office() as s:
        warm = cache.screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW)
    assert warm.person is not None and warm.person.state == "away"
    assert warm.script.ref == "account:1+person:dupont:2"
    assert (
        warm.script.greeting is not None and "bureau de Maître Dupont" in warm.script.greeting.text
    )


def test_the_warm_cache_rereads_rarely_changing_data_after_its_ttl_or_when_told(
    office: sessionmaker[Session],
) -> None:
    clock = FixedClock(NOW)
    cache = PopCache(clock, ttl=30.0)
    smith = "+44 20 7946 0958"

    def known() -> str:
        with office() as s:
            return cache.screen_pop(s, DIRECT, smith, now=NOW).caller.known_name

    assert known() == ""
    with transaction(office) as s:
        add_contact(s, "martin", smith, "Smith & Co", now=NOW)
    assert known() == ""  # contacts are warm data: kept for the ttl
    clock.advance(timedelta(seconds=31))
    assert known() == "Smith & Co"
    with transaction(office) as s:
        add_contact(s, "martin", smith, "Smith & Partners", now=NOW)
    cache.forget("clinique")
    assert known() == "Smith & Co"
    cache.forget("martin")
    assert known() == "Smith & Partners"


def test_the_decision_panel_names_the_rule_that_matched_and_why(
    office: sessionmaker[Session],
) -> None:
    rules = {
        "account": "martin",
        "person": "dupont",
        "rules": [
            {
                "name": "En réunion → message",
                "when": {"availability": ["meeting"]},
                "then": {"type": "message", "urgency": "normal"},
            }
        ],
    }
    with transaction(office) as s:
        save_rules(s, "martin", rules, now=NOW - timedelta(hours=1))
        set_status(s, "martin", "dupont", State.MEETING, now=NOW)
    with office() as s:
        fresh = screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW, lang="fr")
        warm = PopCache(FixedClock(NOW)).screen_pop(
            s, DIRECT, CALLER, agent="alice", now=NOW, lang="fr"
        )
    assert (fresh.treatment, fresh.rule) == ("message", "En réunion → message")
    assert "« En réunion → message » s'applique" in fresh.explanation
    assert fresh.person is not None and fresh.person.availability.startswith(
        "Claire Dupont est en réunion"
    )
    assert warm == fresh


def test_saved_layers_that_no_longer_fit_together_are_named_not_hidden(
    office: sessionmaker[Session],
) -> None:
    # The associates' layer asks for a case number; Dupont's own note uses it. Moved out of
    # the associates by an import, Dupont's layers no longer build: the pop says why.
    group_layer = "steps:\n  - id: affaire\n    ask: Quelle affaire ?\n    next: noter\n"
    person_layer = (
        "steps:\n  - id: noter\n    action: take_message\n"
        "    note: Message pour l'affaire {{ answers.affaire }}.\n"
    )
    with transaction(office) as s:
        save_script(s, "martin", Owner("group", "associes"), group_layer, now=NOW)
        save_script(s, "martin", Owner("person", "dupont"), person_layer, now=NOW)
    with office() as s:
        assert screen_pop(s, DIRECT, CALLER, now=NOW).script.ref.startswith("account:1+group")
    moved = {**DIRECTORY, "people": [{**DIRECTORY["people"][0], "group": ""}]}
    with transaction(office) as s:
        load_directory(s, moved, source="test", now=NOW)
    with office() as s:
        pop = screen_pop(s, DIRECT, CALLER, now=NOW)
    assert pop.script.greeting is None
    assert pop.script.problem.startswith("the saved script does not build: ")
    assert "unknown variable 'answers.affaire'" in pop.script.problem


def test_a_call_record_keeps_the_caller_in_e164_and_refuses_another_accounts_person(
    office: sessionmaker[Session],
) -> None:
    with transaction(office) as s:
        record_call(s, "martin", CallRecord("07 98 76 54 32", DIRECT, NOW, person="martin"))
    with office() as s:
        pop = screen_pop(s, DIRECT, "+33798765432", now=NOW + timedelta(minutes=5))
    assert [c.person for c in pop.caller.history] == ["Jeanne Martin"]
    dupont = CallRecord("+33798765432", CLINIC, NOW, person="dupont")
    with (
        pytest.raises(NotFound, match="no person 'dupont' in account 'clinique'"),
        transaction(office) as s,
    ):
        record_call(s, "clinique", dupont)
    naive = CallRecord("", DIRECT, NOW.replace(tzinfo=None))
    with pytest.raises(InvalidInput, match="must carry a time zone"), transaction(office) as s:
        record_call(s, "martin", naive)
    with office() as s:
        assert len(screen_pop(s, CLINIC, "+33798765432", now=NOW).caller.history) == 0


def _statements(s: Session, pop: Callable[[], object]) -> list[tuple[str, str]]:
    """The SQL statements (with their parameters) that ``pop`` ran on ``s``'s connection."""
    ran: list[tuple[str, str]] = []

    def seen(conn: object, cursor: object, statement: str, params: object, *rest: object) -> None:
        ran.append((statement, repr(params)))

    engine = s.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        pop()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return ran


def test_a_fresh_pop_reads_each_row_once_and_a_warm_one_reads_less(
    office: sessionmaker[Session],
) -> None:
    with office() as s:
        fresh = _statements(s, lambda: screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW))
        cache = PopCache(FixedClock(NOW))
        cache.screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW)
        s.expunge_all()  # a new call: nothing from the first one in the identity map
        warm = _statements(s, lambda: cache.screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW))
    repeated = [statement for statement in fresh if fresh.count(statement) > 1]
    assert repeated == []
    assert len(warm) < len(fresh)


def test_a_cache_that_keeps_nothing_sees_every_change_at_once(
    office: sessionmaker[Session],
) -> None:
    cache = PopCache(FixedClock(NOW), ttl=0.0)
    smith = "+44 20 7946 0958"
    with office() as s:
        assert cache.screen_pop(s, DIRECT, smith, now=NOW).caller.known_name == ""
    with transaction(office) as s:
        add_contact(s, "martin", smith, "Smith & Co", now=NOW)
    with office() as s:
        assert cache.screen_pop(s, DIRECT, smith, now=NOW).caller.known_name == "Smith & Co"


def test_warm_and_fresh_pops_follow_the_operators_staleness_setting(
    office: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCUEIL_STATUS_STALE_AFTER_MINUTES", "10")
    default_policy.cache_clear()
    try:
        with transaction(office) as s:
            set_status(s, "martin", "dupont", State.MEETING, now=NOW - timedelta(minutes=20))
        with office() as s:
            fresh = screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW)
            warm = PopCache(FixedClock(NOW)).screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW)
    finally:
        default_policy.cache_clear()
    assert fresh.person is not None and fresh.person.stale == "stale: set 20 min ago"
    assert warm == fresh


def test_a_script_tried_out_sees_the_call_as_the_pop_shows_it(
    office: sessionmaker[Session],
) -> None:
    with transaction(office) as s:
        set_status(s, "martin", "dupont", State.MEETING, note="Comité", now=NOW)
    with office() as s:
        pop = screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW)
        context = script_context(s, "martin", "dupont", CALLER, now=NOW)
        script = effective_script(s, "martin", "dupont")
    assert pop.script.greeting == greeting(script, context)
    assert context.caller.name == "Dupont SA — M. Leroy" and context.group_name == "Associés"
    assert context.availability is not None and context.availability.state is State.MEETING
    with office() as s:
        english = script_context(s, "martin", None, "anonymous", now=NIGHT, lang="en")
    assert english.lang == "en" and english.person is None and english.caller.number == ""


def test_trying_a_script_walks_the_answers_in_the_pops_context_and_refuses_typos(
    office: sessionmaker[Session],
) -> None:
    with office() as s:
        pop = screen_pop(s, DIRECT, CALLER, agent="alice", now=NOW)
        trial = preview(s, "martin", "dupont", answers={"client": "oui"}, caller=CALLER, now=NOW)
        with pytest.raises(InvalidInput, match="no question 'clent' in this script"):
            preview(s, "martin", "dupont", answers={"clent": "oui"}, now=NOW)
    assert pop.script.greeting == trial.greeting
    assert trial.state.prompt is not None
    assert trial.state.prompt.text == "Puis-je avoir votre nom, s'il vous plaît ?"
