"""The switchboard of ``accueil serve``, made from the settings and run with the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.sip.edge import SipEdge, serve_board, sip_settings
from accueil.switchboard.clock import RealClock, SwitchClock
from accueil.switchboard.live import Live, build_live
from accueil.telephony.memory import MemoryTelephony
from accueil.telephony.simulated import SimulatedTelephony, calls_of_a_day


def live_from_settings(rt: Runtime, clock: SwitchClock | None = None) -> Live:
    """The switchboard the settings ask for: its telephony none (no calls until SIP) or
    simulated (a day of the workload's callers on the operator in the database)."""
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
        return build_live(
            rt.app, clock, telephony, grace_seconds=settings.agent_grace_seconds, player=telephony
        )
    if settings.telephony == "sip":
        edge = sip_edge(settings)
        live = build_live(
            rt.app, clock, edge.telephony, grace_seconds=settings.agent_grace_seconds, edge=edge
        )
        serve_board(edge.telephony, live.board)
        return live
    return build_live(rt.app, clock, MemoryTelephony(), grace_seconds=settings.agent_grace_seconds)


def sip_edge(settings: ApiSettings) -> SipEdge:
    """Kamailio (run by accueil unless ``sip_kamailio`` is off) and the SIP telephony."""
    workdir = Path(settings.sip_workdir) if settings.sip_kamailio else None
    return SipEdge.configured(sip_settings(settings), workdir, outbound=settings.sip_outbound)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the switchboard with the server (when set, or already attached), stop it after."""
    rt: Runtime = app.state.runtime
    if rt.live is None and rt.settings.switchboard:
        rt.live = live_from_settings(rt)
    owned = rt.live is not None and not rt.live.started
    if owned and rt.live is not None:
        await rt.live.start()
    try:
        yield
    finally:
        if owned and rt.live is not None:
            await rt.live.stop()
