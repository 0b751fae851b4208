"""Where a service finds its cache: on the session, put there by the application that opened it.

Caches (search indexes, expanded calendars, built scripts) are objects owned by the
``Application`` (``unit_of_work``), which hands them to every session it opens and clears
them from the outbox's events. A session opened without an application gets caches of its
own that live as long as it does, so nothing is ever kept in a module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from sqlalchemy.orm import Session

from accueil.services.tenancy import on_scoped_input

T = TypeVar("T")

SEARCH = "accueil.cache.search"
TIMELINES = "accueil.cache.timelines"
SCRIPTS = "accueil.cache.scripts"


CACHES = "accueil.caches"
"""The key of the application's cache registry in ``Session.info`` (one dict, shared by reference
by every session of the application)."""


@on_scoped_input
def cache_of(session: Session, key: str, make: Callable[[], T]) -> T:
    """The cache ``key`` of this session's application (or of this session alone).

    A cache is made the first time a service asks for it, so a command that never searches
    never imports or builds a search index.
    """
    shared = session.info.get(CACHES)
    owner = shared if isinstance(shared, dict) else session.info
    found = owner.get(key)
    if found is None:
        found = owner[key] = make()
    return cast(T, found)
