"""Speed of the routing engine alone: events per second, median and p99 per event.

Workload: 1,000 agents (a third at home, sending heartbeats; a third speak English; each trained
on a few accounts), 2,000 accounts with Zipf(0.8) call shares, and a line held at about 500
waiting calls: every call answered or abandoned is replaced by a new arrival, so the engine always
works with a full line. A compact closed-loop driver feeds a long stream of realistic events
(enqueue, accept, end, abandon, heartbeats, and the engine's own deadlines as ticks) and times
``engine.handle`` alone. The accueil strategy runs against the longest-idle baseline on the same
stream in the same process. Each event is timed in CPU time of the thread (``thread_time_ns``),
so the figures stay those of one core when other jobs share the machine.
"""

from __future__ import annotations

import heapq
import itertools
import random
import statistics
import time
from typing import Any

from accueil.core.routing import Engine, EngineConfig, events

AGENTS = 1_000
ACCOUNTS = 2_000
WAITING = 500
EVENTS = 200_000
SEED = 7
HANDLE_MEAN, HANDLE_SD = 100.0, 60.0
RING_SECONDS = 2.0
PATIENCE_MEAN = 900.0  # long: the line stays full, a few callers still give up
HEARTBEAT_SECONDS = 20.0


class Stream:
    """A closed loop around one engine; records the time each ``handle`` call takes."""

    def __init__(self, strategy: str) -> None:
        self.engine = Engine(EngineConfig(max_wait=None), strategy)
        self.random = random.Random(SEED)
        self.heap: list[tuple[float, int, Any]] = []
        self.seq = itertools.count()
        self.now = 0.0
        self.timings: list[int] = []
        self.calls = itertools.count()
        self.live: set[str] = set()
        self.first_answers = AGENTS  # the first calls fill the agents: not replaced
        weights = [k**-0.8 for k in range(1, ACCOUNTS + 1)]
        self.accounts = self.random.choices(range(ACCOUNTS), weights, k=200_000)
        self.account_i = 0
        self.mu, self.sigma = _lognormal(HANDLE_MEAN, HANDLE_SD)

    def feed(self, event: events.Event) -> None:
        started = time.thread_time_ns()
        commands = self.engine.handle(event)
        self.timings.append(time.thread_time_ns() - started)
        for c in commands:
            if isinstance(c, events.Offer):
                self.later(RING_SECONDS, events.OfferAccepted(0, c.call, c.agent, c.token))
            elif isinstance(c, events.Bridge):
                talk = self.random.lognormvariate(self.mu, self.sigma)
                self.later(talk, events.CallEnded(0, c.call, c.agent, c.token))
                self.replace(c.call)
            elif isinstance(c, events.Overflow):
                self.replace(c.call)

    def later(self, delay: float, event: events.Event) -> None:
        heapq.heappush(self.heap, (self.now + delay, next(self.seq), event))

    def replace(self, call: str) -> None:
        self.live.discard(call)
        if self.first_answers:
            self.first_answers -= 1
            return
        self.arrive()

    def arrive(self) -> None:
        name = f"c{next(self.calls)}"
        account = self.accounts[self.account_i % len(self.accounts)]
        self.account_i += 1
        english = self.random.random() < 0.1
        self.live.add(name)
        person = f"p{int(self.random.paretovariate(1.0)) % 50}"
        event = events.CallEnqueued(
            self.now, name, f"acc{account}", person, ("en",) if english else ("fr",)
        )
        self.later(self.random.expovariate(1 / PATIENCE_MEAN), events.CallAbandoned(0, name))
        self.feed(event)

    def start(self) -> None:
        for i in range(AGENTS):
            langs = ("fr", "en") if i % 3 == 0 else ("fr",)
            trainings = tuple(
                (f"acc{self.random.randrange(ACCOUNTS)}", self.random.choice((1, 1, 2, 3)))
                for _ in range(3)
            )
            site = "home" if i % 3 == 1 else ("A" if i % 2 else "B")
            self.feed(events.AgentLoggedIn(0.0, f"a{i}", langs, trainings, site))
            self.feed(events.AgentReady(0.0, f"a{i}"))
            if site == "home":
                self.later(self.random.uniform(0, HEARTBEAT_SECONDS), events.Heartbeat(0, f"a{i}"))
        for _ in range(AGENTS + WAITING):
            self.arrive()

    def run(self, count: int) -> None:
        self.start()
        self.timings.clear()
        while len(self.timings) < count:
            deadline = self.engine.next_deadline()
            if deadline is not None and (not self.heap or deadline <= self.heap[0][0]):
                self.now = max(self.now, deadline)
                self.feed(events.Tick(deadline))
                continue
            at, _, event = heapq.heappop(self.heap)
            self.now = at
            if isinstance(event, events.CallAbandoned) and event.call not in self.live:
                continue  # the caller was answered long ago: no hang-up to report
            if isinstance(event, events.CallAbandoned):
                self.live.discard(event.call)
                self.arrive()
            if isinstance(event, events.Heartbeat):
                self.later(HEARTBEAT_SECONDS, events.Heartbeat(0, event.agent))
            self.feed(type(event)(at, *_fields(event)[1:]))


def _fields(event: events.Event) -> tuple[Any, ...]:
    return tuple(getattr(event, f) for f in event.__slots__)


def _lognormal(mean: float, sd: float) -> tuple[float, float]:
    import math

    sigma2 = math.log(1 + (sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def _measure(strategy: str) -> dict[str, float]:
    stream = Stream(strategy)
    stream.run(EVENTS)
    t = sorted(stream.timings)
    total = sum(t) / 1e9
    return {
        "events": len(t),
        "per_s": len(t) / total,
        "median_us": statistics.median(t) / 1000,
        "p99_us": t[int(len(t) * 0.99)] / 1000,
        "waiting": len(stream.engine.line),
        "simulated_h": stream.now / 3600,
    }


def run() -> None:
    print(
        f"workload: {AGENTS} agents (1/3 at home with heartbeats every {HEARTBEAT_SECONDS:.0f} s, "
        f"1/3 speak English, 3 trainings each), {ACCOUNTS} accounts (Zipf 0.8 shares), "
        f"line held at ~{WAITING} waiting calls (10% English), handle lognormal "
        f"{HANDLE_MEAN:.0f}±{HANDLE_SD:.0f} s, ring {RING_SECONDS:.0f} s, wrap-up 20 s, "
        f"patience exp. mean {PATIENCE_MEAN:.0f} s; {EVENTS:,} timed events, seed {SEED}"
    )
    defaults = EngineConfig()
    print(
        f"engine settings: defaults, max_wait None (guard on the service level "
        f"{'on' if defaults.guard else 'off'}, one waiter per agent {defaults.one_waiter}, "
        f"scarce skills protected {defaults.protect_scarce})"
    )
    print(f"{'strategy':<14}{'events/s':>12}{'median µs':>12}{'p99 µs':>10}{'waiting':>9}")
    for strategy in ("accueil", "longest_idle"):
        m = _measure(strategy)
        print(
            f"{strategy:<14}{m['per_s']:>12,.0f}{m['median_us']:>12.1f}{m['p99_us']:>10.1f}"
            f"{m['waiting']:>9.0f}   ({m['events']:,} events, {m['simulated_h']:.1f} h simulated)"
        )
    print("target: >= 50,000 events/s on one core (thread CPU time per engine.handle call)")
