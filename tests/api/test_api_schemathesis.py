"""Property-based: schemathesis sends every operation of the OpenAPI document requests built
from its schemas, as an operator admin on the two-tenant world, and checks that no answer is a
500 and that every answer matches the document (status, content type, headers, body), and
that an operation refuses a request without credentials.

Two checks are left out, on purpose: ``positive_data_acceptance`` (a schema cannot say that a
phone number must be one, or a language one we explain in: those are 422s with their field, by
design) and ``allow_header_conformance`` (Starlette's 405 lists the methods of one route, not
of the path; a 405 is still a 405).

Bounded: ``EXAMPLES`` examples per operation, derandomized, no shrinking; one SQLite world for
the module, made when the module is collected (schemathesis reads the document from the app);
what a request changes stays changed, and the next ones meet it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_world import build_world
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from accueil.store.db import make_engine, migrate

EXAMPLES = 3
_HOME = Path(tempfile.mkdtemp(prefix="accueil-st-"))
_ENGINE = make_engine(f"sqlite:///{_HOME / 'api.db'}")
migrate(_ENGINE)
WORLD = build_world(_ENGINE)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", WORLD.app)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    _ENGINE.dispose()
    shutil.rmtree(_HOME, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_answer_fails_or_breaks_the_document(case: Any) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {WORLD.tokens['root']}"},
        excluded_checks=[positive_data_acceptance, allow_header_conformance],
    )
