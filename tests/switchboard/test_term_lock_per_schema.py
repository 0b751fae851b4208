"""The terms' lock is the schema's (PostgreSQL), like the leader's: a new term waits for the
appends in flight of its own database's last term, never for another schema's on the same
server (the tests side by side on one server: an append held by a test whose database hangs,
up to the server's time-outs, held up every other test's take-over and, behind that waiting
take-over, all their appends)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, create_engine, text

from accueil.switchboard.inputs import Heard
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership, Term
from accueil.telephony.port import CallerHungUp
from postgres_schemas import Sent, replayed, schema_url

ORIGIN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_a_new_term_does_not_wait_for_another_schemas_append_in_flight(
    postgres_engine: Engine, postgres_migrations: tuple[Sent, ...]
) -> None:
    schemas = schema_url()
    other = replayed(next(schemas), postgres_migrations)
    # the other schema's append, on a connection the server never ends on its own (no
    # time-outs): only the new term here ending lets it commit
    held = create_engine(other.url)
    pool = ThreadPoolExecutor(1)
    begun: list[Future[Term]] = []
    try:
        first = Leadership(other, "ws://other").begin_term(ORIGIN, 1.0)

        @contextmanager
        def in_flight() -> Iterator[Connection]:
            with held.begin() as connection:
                yield connection
                # written, not committed: a new term begins in this test's schema meanwhile
                here = Leadership(postgres_engine, "ws://b")
                begun.append(pool.submit(here.begin_term, ORIGIN, 1.0))
                begun[0].result(timeout=60)  # a lock wait ends on the statement time-out (15 s)

        journal = Journal(held, first.number, connect=in_flight)
        journal.append(0.0, Heard(CallerHungUp("c1")))
        term = begun[0].result()
        assert term.number == 1  # this schema's first term, begun while the other's append ran
        with postgres_engine.connect() as connection:
            assert connection.execute(text("SELECT max(term) FROM switchboard_terms")).scalar() == 1
        # the other schema's terms go on as before: its append was not fenced by this term
        assert journal.appended == 1
    finally:
        pool.shutdown(wait=True)
        held.dispose()
        other.dispose()
        schemas.close()
