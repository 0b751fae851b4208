"""What the running API holds: the database, the clock, the login limiter.

Every unit of work of a request opens here, so how sessions and transactions are made is decided
in one place.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accueil.api.settings import ApiSettings
from accueil.api.signed import TokenCache
from accueil.services.call_slices import CallSlices
from accueil.services.clock import Clock
from accueil.services.screenpop import PopCache
from accueil.services.script_layers import scripts_of
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine
from accueil.switchboard.hub import EventHub
from accueil.switchboard.leader import Leadership
from accueil.switchboard.live import Live
from accueil.wallclock import WallClock


@dataclass
class LoginLimiter:
    """At most ``per_minute`` attempts per key in any sliding minute (kept in memory)."""

    per_minute: int
    seen: dict[str, deque[float]] = field(default_factory=dict)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        stamps = self.seen.setdefault(key, deque())
        while stamps and stamps[0] <= now - 60:
            stamps.popleft()
        if len(stamps) >= self.per_minute:
            return False
        stamps.append(now)
        return True


@dataclass
class Runtime:
    """The API's process: its ``Application`` (engine, clock, caches, subscribers), the login
    limiter, the tokens recently checked, and the dialled numbers' slices (``slices``) that
    decisions and screen pops are made on.

    A slice (the number's account and person, lists, contacts, rotas, closures, rules) is kept
    while its account's ``routing_version`` stands, checked on every request with one row read
    (``services/call_slices.py``, as the switchboard does): a change committed by any process
    shows at the next request; statuses, calendars and history are read afresh every time."""

    engine: Engine
    settings: ApiSettings
    clock: Clock = field(default_factory=WallClock)
    app: Application = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)
    limiter: LoginLimiter = field(init=False)
    tokens: TokenCache = field(init=False)
    live: Live | None = field(default=None, init=False)  # the switchboard, once started
    leadership: Leadership | None = field(default=None, init=False)  # who leads (serve)
    hub: EventHub = field(init=False)  # committed events to this process's event streams
    slices: CallSlices = field(init=False)
    _pops: PopCache | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.app = Application(self.engine, self.clock)
        self.sessions = self.app.sessions
        self.limiter = LoginLimiter(self.settings.login_attempts_per_minute)
        self.tokens = TokenCache(self.settings.token_cache_seconds)
        self.hub = EventHub()
        if self.engine.dialect.name != "postgresql":
            # one writer: events commit in their ids' order, the streams hear them at commit;
            # on PostgreSQL the relay's listener feeds the hub settled events (api/live.py)
            self.app.subscribe(self.hub.on_event)
        self.slices = CallSlices()

    @classmethod
    def from_url(cls, url: str | None = None, settings: ApiSettings | None = None) -> Runtime:
        return cls(make_engine(url), settings or ApiSettings())

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends (its events then published), rolled
        back on any error (and nothing published)."""
        with self.app.unit_of_work() as work:
            yield work.session

    def now(self) -> datetime:
        return self.clock.now()

    def pops(self, session: Session) -> PopCache:
        """Screen pops on the kept slices, with the application's script cache."""
        if self._pops is None:  # two threads may both make one: either does
            self._pops = PopCache(self.clock, scripts=scripts_of(session), slices=self.slices)
        return self._pops
