"""The HTTP API (FastAPI, OpenAPI 3.1, under ``/api/v1``): thin routes over ``services/``.

``create_app`` is imported when first asked for: ``accueil.api.settings`` alone (what ``accueil
serve`` checks before anything else) does not load the whole API, which takes seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accueil.api.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from accueil.api.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
