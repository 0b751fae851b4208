"""Property-based: schemathesis sends every operation of the OpenAPI document requests built
from its schemas, as an operator admin on the two-tenant world, and checks that no answer is a
500 and that every answer matches the document (status, content type, headers, body), and
that an operation refuses a request without credentials.

Two checks are left out, on purpose: ``positive_data_acceptance`` (a schema cannot say that a
phone number must be one, or a language one we explain in: those are 422s with their field, by
design) and ``allow_header_conformance`` (Starlette's 405 lists the methods of one route, not
of the path; a 405 is still a 405).

Bounded: ``EXAMPLES`` examples per operation, derandomized, no shrinking; one world for the
module, made when the module is collected (schemathesis reads the document from the app); what
a request changes stays changed, and the next ones meet it.

A longer hunt, by hand (not in ``make test``): ``ACCUEIL_SCHEMATHESIS_EXAMPLES=300`` sends 300
per operation, drawn afresh (``--hypothesis-seed=N`` draws the same ones again), and
``ACCUEIL_SCHEMATHESIS_DATABASE=postgres`` puts the world on PostgreSQL
(``ACCUEIL_TEST_POSTGRES_URL``, in a schema of its own) instead of SQLite: ``docs/api.md``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_world import build_world
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from accueil.store.db import make_engine, migrate

EXAMPLES = int(os.environ.get("ACCUEIL_SCHEMATHESIS_EXAMPLES", "3"))
# a longer hunt draws new examples each run (``--hypothesis-seed=N`` draws the same again)
_DERANDOMIZE = "ACCUEIL_SCHEMATHESIS_EXAMPLES" not in os.environ
_ON_POSTGRES = os.environ.get("ACCUEIL_SCHEMATHESIS_DATABASE") == "postgres"
_HOME = Path(tempfile.mkdtemp(prefix="accueil-st-"))
_SCHEMA = f"st_{uuid.uuid4().hex[:12]}"


def _database() -> Engine:
    """SQLite in a temporary folder, or a schema of its own on ``ACCUEIL_TEST_POSTGRES_URL``."""
    if not _ON_POSTGRES:
        return make_engine(f"sqlite:///{_HOME / 'api.db'}")
    admin = make_engine(os.environ["ACCUEIL_TEST_POSTGRES_URL"])
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{_SCHEMA}"'))
    admin.dispose()
    url = make_url(os.environ["ACCUEIL_TEST_POSTGRES_URL"])
    url = url.update_query_dict({"options": f"-csearch_path={_SCHEMA}"})
    return make_engine(url.render_as_string(hide_password=False))


def _drop_database() -> None:
    if _ON_POSTGRES:
        admin = make_engine(os.environ["ACCUEIL_TEST_POSTGRES_URL"])
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{_SCHEMA}" CASCADE'))
        admin.dispose()


_ENGINE = _database()
migrate(_ENGINE)
WORLD = build_world(_ENGINE)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", WORLD.app)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _ENGINE.dispose()
    _drop_database()
    shutil.rmtree(_HOME, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=_DERANDOMIZE,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_answer_fails_or_breaks_the_document(case: Any) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {WORLD.tokens['root']}"},
        excluded_checks=[positive_data_acceptance, allow_header_conformance],
    )
