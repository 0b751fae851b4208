"""The switchboard of ``accueil serve``, made from the settings and run with the app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypedDict

from anyio import to_thread
from fastapi import FastAPI

from accueil.api import heap
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.sip.edge import SipEdge, serve_board
from accueil.sip.server_settings import sip_settings
from accueil.switchboard.clock import RealClock, SwitchClock
from accueil.switchboard.leader import Leadership
from accueil.switchboard.leading import Leading
from accueil.switchboard.live import Live, build_live
from accueil.switchboard.relay import Listener, NotifyRelay
from accueil.telephony.memory import MemoryTelephony
from accueil.telephony.remote import RemoteTelephony
from accueil.telephony.simulated import SimulatedTelephony, calls_of_a_day


def live_from_settings(rt: Runtime, clock: SwitchClock | None = None) -> Live:
    """The switchboard the settings ask for: its telephony none (no calls), simulated (a day of
    the workload's callers on the operator in the database), SIP (Kamailio, run by the leader)
    or remote (a telephony in another process)."""
    settings = rt.settings
    clock = clock or (rt.clock if isinstance(rt.clock, RealClock) else RealClock())
    if settings.telephony == "simulated":
        with rt.unit() as session:
            calls = calls_of_a_day(
                session,
                settings.telephony_workload,
                settings.telephony_seed,
                from_hour=settings.telephony_from_hour,
            )
        telephony = SimulatedTelephony(clock, calls)
        return build_live(rt.app, clock, telephony, **_waits(settings), player=telephony)
    if settings.telephony == "sip":
        edge = sip_edge(settings)
        # Kamailio outlives this process (run apart, or left running and taken on by the next
        # one): the new leader's telephony takes the calls on from Kamailio's lines, and ends
        # those Kamailio no longer holds
        live = build_live(
            rt.app, clock, edge.telephony, **_waits(settings), edge=edge,
            telephony_outlives=True,
        )  # fmt: skip
        serve_board(edge.telephony, live.board)
        return live
    if settings.telephony == "remote":
        remote = RemoteTelephony.at(settings.telephony_address)
        live = build_live(
            rt.app,
            clock,
            remote,
            **_waits(settings),
            player=remote,
            telephony_outlives=True,
        )
        board = live.board
        remote.heard = lambda: board.heard  # resume after the events the journal has
        return live
    return build_live(rt.app, clock, MemoryTelephony(), **_waits(settings))


class _Waits(TypedDict):
    grace_seconds: float
    database_wait: float
    journal_wait: float
    decision_workers: int


def _waits(settings: ApiSettings) -> _Waits:
    """The agents' grace period, how long the switchboard waits for its database, and its
    decision workers."""
    return {
        "grace_seconds": settings.agent_grace_seconds,
        "database_wait": settings.switchboard_database_wait_seconds,
        "journal_wait": settings.switchboard_journal_wait_seconds,
        "decision_workers": settings.switchboard_decision_workers,
    }


def sip_edge(settings: ApiSettings) -> SipEdge:
    """Kamailio (run by accueil unless ``sip_kamailio`` is off) and the SIP telephony."""
    workdir = Path(settings.sip_workdir) if settings.sip_kamailio else None
    return SipEdge.configured(
        sip_settings(settings),
        workdir,
        outbound=settings.sip_outbound,
        reply_seconds=settings.sip_reply_seconds,
    )


def address_of(settings: ApiSettings) -> str:
    """Where agents reach this process's switchboard."""
    if settings.switchboard_address:
        return settings.switchboard_address
    return f"ws://{settings.host}:{settings.port}/api/v1/agent/stream"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Run the switchboard with the server: one attached already (tests) is started as it
    is; else, when set, this process leads it or stands by (``switchboard/leading.py``)."""
    rt: Runtime = app.state.runtime
    to_thread.current_default_thread_limiter().total_tokens = rt.settings.request_threads
    rt.hub.start()  # the event streams, whether this process leads or stands by
    listener = _relay_across_processes(rt)
    try:
        async with _switchboard(app, rt):
            if getattr(app.state, "settle_heap", False):
                heap.settle()  # started: the collector's pauses short from here on
            yield
    finally:
        if listener is not None:
            await asyncio.to_thread(listener.stop)
        rt.hub.stop()


@asynccontextmanager
async def _switchboard(app: FastAPI, rt: Runtime) -> AsyncIterator[None]:
    """An attached switchboard (tests) started as it is; else, when set, this process leads it
    or stands by (``switchboard/leading.py``)."""
    if rt.live is not None:
        async with _attached(rt.live):
            yield
        return
    if not rt.settings.switchboard:
        yield
        return
    rt.leadership = Leadership(rt.engine, address_of(rt.settings))

    def changed(live: Live | None) -> None:
        rt.live = live

    clock = rt.clock if isinstance(rt.clock, RealClock) else None
    leading = Leading(rt.leadership, lambda: live_from_settings(rt), changed, clock=clock)
    await leading.start()
    app.state.leading = leading
    try:
        yield
    finally:
        await leading.stop()


def _relay_across_processes(rt: Runtime) -> Listener | None:
    """On PostgreSQL, events committed by any process reach this one's subscribers, and every
    settled event its event streams (in the order a client resumes by cursor)."""
    if rt.engine.dialect.name != "postgresql":
        return None
    relay = NotifyRelay(rt.engine, rt.clock)
    rt.app.relay = relay
    listener = Listener(rt.engine, relay, rt.app.deliver, feed=rt.hub.on_event)
    listener.start()
    return listener


@asynccontextmanager
async def _attached(live: Live) -> AsyncIterator[None]:
    owned = not live.started
    if owned:
        await live.start()
    try:
        yield
    finally:
        if owned:
            await live.stop()
