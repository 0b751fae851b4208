"""The SIP tests need Kamailio and SIPp (``bash .ci/sip-tools``); one Kamailio per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from call_world import seed
from sip_world import READY, Sipp, need_sip_tools, settings
from sqlalchemy import Engine

from accueil.sip.kamailio import Kamailio, free_port


@pytest.fixture
def trunk() -> tuple[int, int]:
    """The trunk's two ports on loopback: where its callers come from, where mobiles are."""
    return free_port(), free_port()


@pytest.fixture
def kamailio(tmp_path: Path, trunk: tuple[int, int]) -> Iterator[Kamailio]:
    """A started Kamailio on its own ports, with the tests' accounts; the callers' port is a
    trunk."""
    need_sip_tools()
    started = Kamailio(settings(trunks=(f"127.0.0.1:{trunk[0]}",)), tmp_path / "kamailio")
    started.start(ready_within=READY)
    yield started
    started.stop()


@pytest.fixture
def sipp(kamailio: Kamailio, tmp_path: Path) -> Sipp:
    return Sipp(kamailio, tmp_path)


@pytest.fixture
def seeded(sqlite_engine: Engine) -> Engine:
    seed(sqlite_engine)
    return sqlite_engine
