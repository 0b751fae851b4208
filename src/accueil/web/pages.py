"""Mount the pages and their static files on the API's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from accueil.web import (
    admin,
    board,
    caller_lists,
    desk,
    employee_policy,
    home,
    inbox,
    operator,
    people,
    personal,
    selfservice,
)

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the static files and the pages on ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    pages = (home, selfservice, personal, inbox, admin, people, caller_lists, employee_policy)
    for feature in (*pages, board, desk, operator):
        app.include_router(feature.router)
