"""Mount the pages and their static files on the API's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from accueil.web import (
    admin,
    board,
    board_chart,
    caller_lists,
    desk,
    employee_policy,
    home,
    inbox,
    kept,
    operator,
    operator_edits,
    people,
    personal,
    script_editor,
    selfservice,
    usage,
)

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the static files and the pages on ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for feature in (
        home,
        selfservice,
        inbox,
        admin,
        people,
        personal,
        employee_policy,
        script_editor,
        caller_lists,
        kept,
        board,
        board_chart,
        desk,
        operator,
        operator_edits,
        usage,
    ):
        app.include_router(feature.router)
