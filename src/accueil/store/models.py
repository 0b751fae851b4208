"""Imports every table module so that ``Base.metadata`` knows the whole schema."""

from accueil.store import (  # noqa: F401
    tables,
    tables_audit,
    tables_availability,
    tables_messages,
    tables_outbox,
    tables_scripts,
    tables_self_service,
    tables_switchboard,
    tables_users,
)
