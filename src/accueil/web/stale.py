"""Stale edits on the pages, as the API's If-Match: a form carries the version of what it shows
(the ETag of its current representation) and a change sent from an older page is refused
(412) with nothing written, so two admins never overwrite each other unknowingly."""

from __future__ import annotations

from typing import Any

from accueil.api.conventions import etag_of
from accueil.api.problems import PreconditionFailed
from accueil.errors import says


def version_of(value: Any) -> str:
    """The version a form carries (the API's ETag of ``value``, without its quotes)."""
    return etag_of(value).strip('"')


def check_version(sent: str, current: Any) -> None:
    """Refuse a change made from a page that showed another version than ``current``."""
    if sent != version_of(current):
        raise PreconditionFailed(
            says("someone changed this since you opened the page; reload it and redo your change"),
            field="version",
        )
