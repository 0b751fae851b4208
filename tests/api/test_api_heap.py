"""The served app sets the garbage collector for short pauses once started (``api/heap.py``);
an app made for tests leaves it as it is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SERVED = """
import gc, json
from fastapi.testclient import TestClient
from accueil.api.app import {factory}
from accueil.store.db import make_engine, migrate
migrate(make_engine())
before = gc.get_freeze_count()
with TestClient({factory}()) as client:
    ready = client.get("/readyz").status_code
    print(json.dumps({{"ready": ready, "frozen": gc.get_freeze_count() - before,
                      "young": gc.get_threshold()[0]}}))
"""


def _started(tmp_path: Path, factory: str) -> dict[str, int]:
    env = {
        **os.environ,
        "ACCUEIL_DATABASE_URL": f"sqlite:///{tmp_path / 'heap.db'}",
        "ACCUEIL_SWITCHBOARD": "false",
    }
    done = subprocess.run(
        [sys.executable, "-c", SERVED.format(factory=factory)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_the_served_app_freezes_what_it_started_with_and_spaces_young_collections(
    tmp_path: Path,
) -> None:
    found = _started(tmp_path, "served_app")
    assert found["ready"] == 200
    assert found["frozen"] > 10_000  # the code, the app: out of every full collection's walk
    assert found["young"] == 7_000


def test_an_app_made_for_tests_keeps_the_collector_as_it_was(tmp_path: Path) -> None:
    found = _started(tmp_path, "create_app")
    assert found["ready"] == 200
    assert found["frozen"] == 0
    assert found["young"] == 700
