"""Column types shared by the tables.

``UTCDateTime`` is the one way a time goes into the store: it refuses a naive datetime (its
zone would be a guess), writes every instant in UTC — SQLite keeps no offset, so 10:00
Europe/Paris written as is would read back as 10:00 UTC — and hands back aware UTC datetimes
on SQLite and PostgreSQL alike. Comparisons in queries go through it too, so
``column <= now`` compares instants, whatever zone ``now`` was given in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class NaiveDateTime(ValueError):
    """A naive datetime reached the store."""


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: aware in, UTC stored, aware UTC out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a time column takes a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDateTime(
                f"naive datetime {value.isoformat()} refused: the store keeps instants; "
                "give the time a zone"
            )
        utc = value.astimezone(UTC)
        # SQLite stores the text without an offset: write the UTC wall time, naive.
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
