"""An agent's outcome sent again while the first sending's save is still in flight (its wait
given up, the database slow): saved once, one record and one message, whichever commits
first; the second sending answers the first's (PostgreSQL: several threads or processes)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from board_world import CALLER, CLAIRE, MONDAY_10, seed
from sqlalchemy import Engine, text

from accueil.services.calls import CallRecord
from accueil.services.clock import FixedClock
from accueil.services.messages import NewMessage
from accueil.services.outcomes import SavedOutcome, save_outcome
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate

RECORD = CallRecord(
    caller=CALLER, dialled=CLAIRE, started_at=MONDAY_10, person="claire", agent="alice",
    call_id="c1", waited=3.0, ended_at=MONDAY_10, treatment="answer",
)  # fmt: skip
MESSAGE = NewMessage(person="claire", caller_number=CALLER, agent="alice", call_id="c1")


@pytest.fixture
def engines(postgres_url: str) -> Iterator[tuple[Engine, Engine, str]]:
    """The database twice: the first sending's connections, and the second's (named, so the
    test sees it wait)."""
    first = make_engine(postgres_url)
    migrate(first)
    seed(first)
    name = f"outcome-again-{uuid.uuid4().hex[:8]}"
    again = make_engine(postgres_url, connect_args={"application_name": name})
    yield first, again, name
    again.dispose()
    first.dispose()


def _waits_for_a_lock(engine: Engine, name: str) -> None:
    """Until the second sending's connection waits on a lock (the call's record, held by the
    first's transaction); bounded, never a timed assert."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :n "
        "AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            if connection.execute(query, {"n": name}).scalar():
                return
        time.sleep(0.02)
    raise AssertionError("the second sending never waited for the first")


def _saved(engine: Engine) -> tuple[int, list[str], int]:
    with engine.connect() as connection:
        records = connection.execute(
            text("SELECT count(*) FROM call_records WHERE call_id = 'c1'")
        ).scalar_one()
        messages = connection.execute(
            text("SELECT uid FROM messages WHERE call_id = 'c1'")
        ).scalars()
        taken = connection.execute(
            text("SELECT count(*) FROM outbox WHERE name = 'message.taken'")
        ).scalar_one()
        return records, list(messages), taken


def _send_again(app: Application, found: dict[str, SavedOutcome]) -> threading.Thread:
    def again() -> None:
        with app.unit_of_work() as work:
            found["again"] = save_outcome(work.session, "martin", RECORD, MESSAGE, now=work.now)

    thread = threading.Thread(target=again)
    thread.start()
    return thread


@pytest.mark.parametrize("first_commits", [True, False], ids=["commits", "rolls_back"])
def test_an_outcome_sent_again_while_its_first_save_is_in_flight_is_saved_once(
    engines: tuple[Engine, Engine, str], first_commits: bool
) -> None:
    first_engine, again_engine, name = engines
    clock = FixedClock(MONDAY_10)
    first = Application(first_engine, clock).sessions()
    first.begin()  # the first sending: written, its commit late (its wait given up)
    saved = save_outcome(first, "martin", RECORD, MESSAGE, now=MONDAY_10)
    assert not saved.again and saved.message
    found: dict[str, SavedOutcome] = {}
    thread = _send_again(Application(again_engine, clock), found)
    try:
        _waits_for_a_lock(first_engine, name)
        if first_commits:
            first.commit()
        else:
            first.rollback()  # the first sending failed after all: the second one saves it
    finally:  # a failure too ends the first sending and the second's thread (nothing left to
        first.close()  # the GC, whose ResourceWarning would fail a later test)
        thread.join(timeout=60)
    assert not thread.is_alive()
    records, messages, taken = _saved(first_engine)
    assert (records, len(messages), taken) == (1, 1, 1)
    if first_commits:
        assert found["again"] == SavedOutcome(saved.record, saved.message, again=True)
    else:
        assert not found["again"].again and found["again"].message == messages[0]
