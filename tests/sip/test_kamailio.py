"""Kamailio from the template: the configuration checks, it starts on its own ports, refuses a
taken port, and registers softphones only with the right digest."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from pathlib import Path

import pytest
from sip_world import DOMAIN, PASSWORDS, READY, Sipp, need_sip_tools, settings

from accueil.errors import InvalidInput
from accueil.sip import scenarios
from accueil.sip.config import SipSettings, render
from accueil.sip.kamailio import Kamailio, KamailioError, port_free


def test_the_written_configuration_passes_kamailios_check(tmp_path: Path) -> None:
    need_sip_tools()
    chosen = dataclasses.replace(settings(trunks=("127.0.0.1:5090", "192.0.2.7")))
    edge = Kamailio(chosen, tmp_path)
    assert (
        "config file ok"
        in Kamailio(
            dataclasses.replace(chosen, static_route="sip:agent@127.0.0.1:5099"),
            tmp_path / "static",
        )
        .check()
        .lower()
    )
    said = edge.check()
    assert "config file ok" in said.lower()
    written = edge.config.read_text()
    assert PASSWORDS["alice"] not in written  # only the HA1 digests reach the file
    assert SipSettings(1, 2, accounts={"alice": "x"}).ha1("alice") != "x"
    assert '$si == "127.0.0.1" && $sp == 5090' in written and '$si == "192.0.2.7"' in written
    assert 'modparam("tm", "fr_timer", 30000)' in written  # tm's own default, said


def test_bad_settings_are_refused_with_the_field_and_why() -> None:
    with pytest.raises(InvalidInput, match=r"sip\.port must be a port") as bad:
        SipSettings(port=0, evapi_port=8448)
    assert bad.value.details["field"] == "sip.port"
    with pytest.raises(InvalidInput, match=r"trunk 'pbx\.example': an IP address"):
        SipSettings(port=5060, evapi_port=8448, trunks=("pbx.example",))
    with pytest.raises(InvalidInput, match="SIP user 'al ice'"):
        SipSettings(port=5060, evapi_port=8448, accounts={"al ice": "pw"})
    with pytest.raises(InvalidInput, match=r"sip\.fr_timer_seconds must be 1 s or more"):
        SipSettings(port=5060, evapi_port=8448, fr_timer_seconds=0)
    with pytest.raises(InvalidInput, match="static_route"):
        SipSettings(port=5060, evapi_port=8448, static_route="sip:x@y;evil")
    assert "@@{" not in render(SipSettings(port=5060, evapi_port=8448), modules="/x/")


def test_a_taken_port_is_refused_before_starting(tmp_path: Path) -> None:
    need_sip_tools()
    chosen = settings()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind((chosen.host, chosen.port))
        with pytest.raises(KamailioError, match="is taken"):
            Kamailio(chosen, tmp_path).start()


def test_a_softphone_registers_with_its_digest_and_not_without(
    kamailio: Kamailio, sipp: Sipp
) -> None:
    async def scenario() -> None:
        ok = await sipp.run(
            "register",
            scenarios.register("alice", DOMAIN, 5999),
            extra=("-au", "alice", "-ap", PASSWORDS["alice"]),
        )
        assert ok.ok, ok.explain()
        bad = await sipp.run(
            "register-bad",
            scenarios.register_unauthorised("bob", DOMAIN),
            extra=("-au", "bob", "-ap", "wrong"),
        )
        assert bad.ok, bad.explain()

    asyncio.run(scenario())
    assert kamailio.running


def test_a_kamailio_left_by_a_killed_accueil_is_taken_on_not_refused(tmp_path: Path) -> None:
    need_sip_tools()
    chosen = settings()
    first = Kamailio(chosen, tmp_path / "k")
    first.start(ready_within=READY)
    # accueil killed: its Kamailio runs on in its own process group, holding the calls
    again = Kamailio(chosen, tmp_path / "k")
    try:
        again.start(ready_within=READY)
        assert again.adopted and again.running
        # another configuration on the same ports is not ours: refused as before
        other = Kamailio(dataclasses.replace(chosen, domain="other.test"), tmp_path / "k")
        with pytest.raises(KamailioError, match="is taken"):
            other.start()
    finally:
        again.stop()
        first.stop()
    assert not again.running and port_free(chosen.host, chosen.port)
