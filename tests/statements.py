"""The SQL statements a piece of code sends: how many round trips it costs the database.

``with sent(engine) as seen:`` records each statement sent on ``engine`` while the block runs;
``sent()`` records those of every engine of this process, also one a command opens itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def sent(engine: Engine | type[Engine] = Engine) -> Iterator[list[str]]:
    """The statements sent on ``engine`` (by default on any engine) while the block runs."""
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *rest: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
