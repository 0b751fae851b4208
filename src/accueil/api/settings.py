"""The server's settings, from the environment (``ACCUEIL_*``) or a ``.env`` file."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from accueil.settings import read_settings


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACCUEIL_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    # Origins allowed to call the API from a browser; none unless configured (CORS closed).
    cors_origins: list[str] = Field(default_factory=list)
    # Request bodies larger than this are refused with 413 before they are read whole.
    max_body_bytes: int = Field(2 * 1024 * 1024, gt=0)
    # Password logins allowed per user name and per client address in one minute.
    login_attempts_per_minute: int = Field(5, gt=0)
    # A bearer token found good is not checked again for this long (0: every request); a
    # revocation made through this process's API applies at once, one made elsewhere (the
    # command line, another worker) within this delay.
    token_cache_seconds: float = Field(5.0, ge=0, le=60)
    # Requests whose route runs in the thread pool at once (the rest wait their turn on the
    # event loop). One process runs Python on one CPU at a time: past a few threads, more only
    # fight over the interpreter's lock (40, the default of the pool, cost 15-20 % more CPU a
    # request under 200 clients than 8); a route that waits (a calendar feed fetched, a write
    # lock held by an import) holds its thread meanwhile.
    request_threads: int = Field(8, ge=1, le=200)
    # How long a request waits for its work in the thread pool (its token or session checked,
    # its route run: the database, mostly) before it is answered 503 "try again shortly"; the
    # work itself goes on until the database answers. A database that hangs (a network that
    # holds packets) is never answered by the server's statement timeout. 0: no bound.
    request_wait_seconds: float = Field(20.0, ge=0, le=3600)
    # The live switchboard (docs/live.md): on with `accueil serve`; its telephony is "none" (no
    # calls come in), "simulated" (a workload's callers, played at ``telephony_speed`` times
    # real time, on the operator in the database) or "sip" (Kamailio, docs/telephony.md).
    switchboard: bool = True
    # The share of calls to answer within their account's target seconds: the target line of
    # the supervisor's chart of the day.
    service_level_target: float = Field(0.8, gt=0, le=1)
    telephony: Literal["none", "simulated", "sip", "remote"] = "none"
    # "remote": a telephony in another process (the chaos test's, the bench's), host:port
    telephony_address: str = ""
    telephony_speed: float = Field(1.0, gt=0, le=1000)
    telephony_workload: str = "demo"
    telephony_seed: int = 1
    telephony_from_hour: float = Field(0.0, ge=0, lt=24)  # start the day there (10: the peak)
    # SIP (telephony "sip"): where Kamailio listens, the domain softphones register in, the
    # trunks' addresses ("ip" or "ip:port"; numbers are called through the first, or through
    # ``sip_outbound``), the accounts file ("user password" a line; an agent's SIP user is their
    # agent key), Kamailio's evapi socket, and whether accueil runs Kamailio itself (in
    # ``sip_workdir``) or connects to one the operator runs.
    sip_host: str = "127.0.0.1"
    sip_port: int = Field(5060, ge=1, le=65535)
    sip_domain: str = "accueil.local"
    sip_trunks: str = ""  # comma-separated
    sip_outbound: str = ""
    sip_accounts_file: str = ""
    sip_evapi_host: str = "127.0.0.1"
    sip_evapi_port: int = Field(8448, ge=1, le=65535)
    sip_kamailio: bool = True
    sip_workdir: str = "./var/kamailio"
    sip_max_wait_seconds: int = Field(900, gt=0)
    # Kamailio's transaction timer (tm's fr_timer, its default 30 s: SipSettings says what it
    # times); below 1 s it is refused by SipSettings, naming it, as the other SIP settings.
    sip_fr_timer_seconds: int = 30
    # A softphone rung that sends no reply at all (not even 100 Trying) this long is out of reach:
    # the offer is declined and its secretary paused (UDP retransmits at 0.5, 1, 2 s fit in 4).
    sip_reply_seconds: float = Field(4.0, ge=1, le=60)
    # An agent whose stream is silent this long is unavailable; one who does not come back
    # within the grace period is logged out.
    agent_silence_seconds: float = Field(45.0, gt=0)
    # Where agents reach this process's switchboard when it leads (told to those who connect
    # to a standby); default ws://host:port/api/v1/agent/stream.
    switchboard_address: str = ""
    agent_grace_seconds: float = Field(60.0, ge=0)
    # The switchboard's engine never waits on the database itself: a batch of inputs waits at
    # most this long for its journal (then the inputs wait in memory, in order, and go on),
    # and a screen pop this long (then the offer goes without it) ...
    switchboard_journal_wait_seconds: float = Field(1.0, gt=0, le=60)
    # ... and a call's decision, an agent's login or outcome this long for the database (then
    # the call is refused, the agent's request answered with an error): docs/live.md.
    switchboard_database_wait_seconds: float = Field(10.0, gt=0, le=300)
    # Opt-in: each call's decision and the screen pop made at its arrival in this many worker
    # processes (0: in the switchboard's own threads). docs/telephony.md, "Decisions in
    # worker processes".
    switchboard_decision_workers: int = Field(0, ge=0, le=32)
    # The supervisor stream looks at the line this often and sends it when it changed.
    supervisor_tick_seconds: float = Field(1.0, gt=0)
    # Browser sessions (cookie sign-in): idle timeout, lifetime whatever the activity, and
    # whether the cookies are Secure (sent over HTTPS only; browsers treat localhost as secure).
    session_idle_minutes: int = Field(120, gt=0)
    session_hours: int = Field(12, gt=0)
    cookie_secure: bool = True


def server_settings() -> ApiSettings:
    """The server's settings; a wrong one (environment or ``.env``) is refused naming its
    variable, the value and why (the first one found), not as pydantic's traceback."""
    return read_settings(ApiSettings)
