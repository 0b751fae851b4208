"""Reading the outbox in a test once what the test committed is settled.

On PostgreSQL the outbox hands out only events no running transaction can precede
(``services.outbox.read_settled``), and the server is shared: another test's transaction may
hold the test's own events back a moment. A test that reads what it just committed waits for
them (bounded, generously: a readiness wait, never a timed assert)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy.orm import Session

from accueil.services.outbox import Envelope, read_settled


def settled(
    session: Callable[[], AbstractContextManager[Session]],
    *,
    after: int = 0,
    account: str | None = None,
    limit: int = 10_000,
) -> list[Envelope]:
    """``read_outbox`` once no committed event waits behind a transaction still running."""
    for _ in range(1200):
        with session() as s:
            page = read_settled(s, after=after, account=account, limit=limit)
        if not page.held:
            return page.envelopes
        time.sleep(0.05)
    raise AssertionError("the outbox never settled (a transaction on the server held it)")
