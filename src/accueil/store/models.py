"""Imports every table module so that ``Base.metadata`` knows the whole schema."""

from accueil.store import tables, tables_availability  # noqa: F401
