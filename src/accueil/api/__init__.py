"""The HTTP API (FastAPI, OpenAPI 3.1, under ``/api/v1``): thin routes over ``services/``."""

from accueil.api.app import create_app

__all__ = ["create_app"]
