"""Hostile SIP at Kamailio's door: broken headers, huge headers, a missing Call-ID, garbage,
an INVITE storm from one address. Kamailio answers 400 or drops them, the switchboard never
hears of them (no call, no line left behind), garbage is not copied whole into the log, and a
flood from a stranger is cut while a site whose secretaries registered keeps working."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable

from call_world import BLOCKED, Line, play
from sip_world import DOMAIN, PASSWORDS, Sipp
from sqlalchemy import Engine

from accueil.sip import scenarios
from accueil.sip.kamailio import Kamailio, free_port

MARK = "Z0RGLUB"  # in every hostile message: how much of them reached the log


def _invite(
    call_id: str | None, *, extra: str = "", cseq: str = "1 INVITE", via: str = ""
) -> bytes:
    lines = [
        "INVITE sip:+33140000001@accueil.test SIP/2.0",
        via or "Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{mark}-{n}",
        f"From: <sip:+33612345678@127.0.0.1>;tag={MARK}",
        "To: <sip:+33140000001@accueil.test>",
        *([f"Call-ID: {call_id}"] if call_id is not None else []),
        f"CSeq: {cseq}",
        "Max-Forwards: 70",
        *([extra] if extra else []),
        "Content-Length: 0",
        "",
        "",
    ]
    return "\r\n".join(lines).encode()


def _hostile(port: int) -> list[bytes]:
    def fill(raw: bytes, n: int) -> bytes:
        return (
            raw.replace(b"{port}", str(port).encode())
            .replace(b"{mark}", MARK.encode())
            .replace(b"{n}", str(n).encode())
        )

    return [
        fill(raw, n)
        for n, raw in enumerate(
            [
                (MARK * 200).encode(),  # garbage
                bytes(range(256)) * 40 + MARK.encode(),  # binary garbage
                _invite(f"{MARK}-nocseq", cseq=f"{MARK} INVITE"),  # broken CSeq
                _invite(f"{MARK}-via", via=f"Via: {MARK} {MARK}"),  # broken Via
                _invite(None),  # no Call-ID
                _invite(f"{MARK}-huge", extra=f"X-Junk: {MARK * 6000}"),  # a 42 KB header
                _invite(f"{MARK}-many", extra="\r\n".join(f"X-{i}: {MARK}" for i in range(2000))),
                b"INVITE sip:" + MARK.encode() * 3000 + b" SIP/2.0\r\n\r\n",  # a huge URI
            ]
        )
    ]


def _send_all(
    datagrams: list[bytes], source: tuple[str, int], to: tuple[str, int], pace: float = 0.002,
    until: Callable[[list[bytes]], bool] = lambda replies: True,
) -> list[bytes]:  # fmt: skip
    """Send each datagram from ``source``, ``pace`` seconds apart (a storm, still: 500 a second;
    all at once would overflow the sockets' buffers); the replies that came back, once ``until``
    holds and a second passed quiet. A quiet second alone ended it on a loaded machine while
    Kamailio, or accueil deciding the trunk's calls, still had replies to send: ``until`` says
    what must have come (bounded, 60 s)."""
    replies: list[bytes] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(source)
        sock.setblocking(False)
        for datagram in datagrams:
            sock.sendto(datagram, to)
            time.sleep(pace)
            with contextlib.suppress(BlockingIOError):
                while True:
                    replies.append(sock.recv(65535))
        sock.settimeout(1.0)  # quiet this long, and what is awaited came: all replies are in
        deadline = time.monotonic() + 60
        while True:
            try:
                replies.append(sock.recv(65535))
            except TimeoutError:
                if until(replies) or time.monotonic() > deadline:
                    return replies


def test_malformed_sip_is_refused_or_dropped_and_leaves_nothing_behind(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    s = kamailio.settings

    async def scenario(w: Line) -> None:
        before = len(kamailio.said())
        # from the trunk's own address: accueil would be asked about a well-formed INVITE
        replies = await asyncio.to_thread(
            _send_all, _hostile(trunk[0]), ("127.0.0.1", trunk[0]), (s.host, s.port),
            until=lambda replies: any(r.startswith(b"SIP/2.0 513 ") for r in replies),
        )  # fmt: skip
        codes = sorted({r.split(b" ", 2)[1].decode(errors="replace") for r in replies})
        # 400 (broken), 513 (too large), or nothing at all
        assert set(codes) <= {"400", "513"}, (codes, replies[:3])
        assert "513" in codes
        assert kamailio.running
        assert w.telephony.lines == {} and w.board.calls == {}  # nothing reached accueil
        log = kamailio.said()[before:]
        # about 60 KB of hostile text sent; its log: a few lines each, each cut short
        assert len(log) < 8000 and max(map(len, log.splitlines())) < 340, log[-2000:]
        # and the switchboard still decides calls
        refused = await w.call(caller=BLOCKED, expect=403)
        assert refused.ok, refused.explain() + kamailio.said()[-2000:]
        await w.until(lambda: w.board.calls == {} and w.telephony.lines == {})

    play(seeded, kamailio, sipp, trunk, scenario)


def _storm(count: int, port: int) -> list[bytes]:
    return [
        _invite(f"storm-{port}-{n}").replace(b"{port}", str(port).encode())
        .replace(b"{mark}", b"storm").replace(b"{n}", str(n).encode())
        for n in range(count)
    ]  # fmt: skip


def test_an_invite_storm_from_a_stranger_is_cut_but_a_site_keeps_working(
    kamailio: Kamailio, sipp: Sipp
) -> None:
    s = kamailio.settings
    limit = s.flood_requests

    async def scenario() -> None:
        # a site: its secretaries share 127.0.0.1, one of them registered
        registered = await sipp.run(
            "register",
            scenarios.register("alice", DOMAIN, free_port()),
            extra=("-au", "alice", "-ap", PASSWORDS["alice"]),
        )
        assert registered.ok, registered.explain()
        stranger = free_port()
        flood = await asyncio.to_thread(
            _send_all, _storm(4 * limit, stranger), ("127.0.0.2", stranger), (s.host, s.port)
        )
        # challenged (407) until cut (a sampling window may let a few more pass), then silence
        assert len(flood) <= 2 * limit, len(flood)
        site = free_port()
        busy = await asyncio.to_thread(
            _send_all, _storm(4 * limit, site), ("127.0.0.1", site), (s.host, s.port),
            until=lambda replies: len(replies) > 3 * limit,
        )  # fmt: skip
        # every one challenged (a datagram lost on a busy machine aside): not locked out
        assert len(busy) > 3 * limit, len(busy)
        again = await sipp.run(
            "register-again",
            scenarios.register("bob", DOMAIN, free_port()),
            extra=("-au", "bob", "-ap", PASSWORDS["bob"]),
        )
        assert again.ok, again.explain()
        assert "flood from 127.0.0.2" in kamailio.said()

    asyncio.run(scenario())


def test_an_invite_storm_from_the_trunk_is_decided_call_by_call_and_leaves_nothing(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    """The trunk is not held to the flood limit (a carrier's burst is real calls): each INVITE,
    sent twice (a retransmission), is one call for the switchboard; with no secretary logged
    in each is refused (480) and recorded once; nothing is left behind."""
    s = kamailio.settings
    count = 150

    async def scenario(w: Line) -> None:
        storm = [
            raw
            for n in range(count)
            for raw in [_invite(f"trunk-storm-{n}").replace(b"{n}", str(n).encode())] * 2
        ]
        storm = [
            raw.replace(b"{port}", str(trunk[0]).encode()).replace(b"{mark}", b"trunk")
            for raw in storm
        ]
        replies = await asyncio.to_thread(
            _send_all, storm, ("127.0.0.1", trunk[0]), (s.host, s.port),
            until=lambda replies: len(_refused(replies)) > 0.9 * count,
        )  # fmt: skip
        await w.until(lambda: w.board.calls == {} and w.telephony.lines == {}, within=30.0)
        await w.until(lambda: len(w.records()) >= count, within=30.0)
        records = w.records()
        assert sorted(r.call_id for r in records) == sorted(
            f"trunk-storm-{n}" for n in range(count)
        )
        refused = _refused(replies)
        assert len(refused) > 0.9 * count, len(refused)  # a datagram lost on a busy machine aside
        assert {r.split(b" ", 2)[1] for r in replies} <= {b"100", b"180", b"480"}
        # and the switchboard still decides calls
        blocked = await w.call(caller=BLOCKED, expect=403)
        assert blocked.ok, blocked.explain() + kamailio.said()[-2000:]

    play(seeded, kamailio, sipp, trunk, scenario)


def _refused(replies: list[bytes]) -> set[bytes]:
    """The Call-IDs of the calls refused with 480."""
    return {r.split(b"Call-ID: ", 1)[1].split(b"\r\n", 1)[0] for r in replies if b" 480 " in r}
