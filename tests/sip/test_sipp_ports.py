"""SIPp's ``-mp N`` binds ``N`` and ``N + 2``: the ports handed to SIPp keep both.

``bench sip_rate`` stalled in about one run of four (session 10): the softphones' SIPp was
given ``-mp N``, the first registration's SIPp ``-p N + 1 -mp N + 2``; whichever bound
``N + 2`` first won, and when the registration did, the softphones' SIPp exited at once and
every call rang a contact nobody listened on (docs/telephony.md, "The stall")."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from accueil.sip.kamailio import free_port, media_port, port_free

ROOT = Path(__file__).resolve().parents[2]


def test_a_media_port_is_free_with_the_port_two_above() -> None:
    port = media_port()
    assert port_free("127.0.0.1", port) and port_free("127.0.0.1", port + 2)


def test_the_bench_never_hands_out_the_port_two_above_a_media_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    bench_sip = importlib.import_module("bench.bench_sip")
    try:
        first = free_port()
        monkeypatch.setattr(bench_sip, "_PORTS", f"{first}-{first + 40}")
        monkeypatch.setattr(bench_sip, "_TAKEN", set())
        softphones = bench_sip._port(media=True)  # the softphones' SIPp: -mp N
        after = [bench_sip._port() for _ in range(6)]  # a registration's -p, -mp, ...
        assert softphones + 2 not in after
        assert {softphones, softphones + 2} <= bench_sip._TAKEN
        assert len(set(after)) == len(after) and softphones not in after
    finally:
        sys.modules.pop("bench.bench_sip", None)
