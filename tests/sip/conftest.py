"""The SIP tests need Kamailio and SIPp (``bash .ci/sip-tools``); one Kamailio per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sip_world import Sipp, need_sip_tools, settings

from accueil.sip.kamailio import Kamailio


@pytest.fixture
def kamailio(tmp_path: Path) -> Iterator[Kamailio]:
    """A started Kamailio on its own ports, with the tests' accounts and no trunk."""
    need_sip_tools()
    edge = Kamailio(settings(), tmp_path / "kamailio")
    edge.start()
    yield edge
    edge.stop()


@pytest.fixture
def sipp(kamailio: Kamailio, tmp_path: Path) -> Sipp:
    return Sipp(kamailio, tmp_path)
