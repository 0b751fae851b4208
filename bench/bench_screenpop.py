"""The screen pop: how long from "a call is offered" to everything the agent sees.

Workload: the demo operator (40 accounts, 1,500 people, seed 7) in a SQLite file; every account
has the law firm's script, one person in ten has their own layer; each number has a few past
calls; a status is set for one person in five. Calls: 300 offers to the direct lines, from
callers who called before or not, to agents who know the account or not.

Figures, same process:
- assembly: the pure ``assemble`` from inputs already in memory (what the desktop redraws);
- warm: ``PopCache.screen_pop`` (directory slice, rules, lists and built scripts kept; statuses,
  calendars, history and familiarity read per call);
- fresh: ``screen_pop``, the same path through a cache that keeps nothing (the slice read once per
  call);
- cold: ``screen_pop`` with every cache emptied first (scripts parsed and templates compiled);
- SQL statements per pop, warm and fresh (independent of the machine's load).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from accueil.core.availability import State
from accueil.core.screenpop import PopInputs, assemble
from accueil.core.scripts import templates
from accueil.demo.directory import generate_demo
from accueil.services import screenpop as service
from accueil.services.availability import set_status
from accueil.services.caching import SCRIPTS
from accueil.services.callers import set_rota
from accueil.services.calls import CallRecord, record_call
from accueil.services.clock import FixedClock
from accueil.services.script_layers import scripts_of
from accueil.services.scripts import Owner, ScriptCache, save_script
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import AccountRow, NumberRow, PersonRow

SEED, OFFERS = 7, 300
NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
FIRM = (Path(__file__).parents[1] / "examples" / "scripts" / "cabinet-martin.yaml").read_text(
    encoding="utf-8"
)
OWN = (
    "greetings:\n  fr:\n"
    "    office_hours: '{{ account.answer_name }}, {{ person.name }}, bonjour.'\n"
)
CALLERS = ["+33612345678", "+33698765432", "+447700900123", "+33145678901", "anonymous"]


def _seed(session: Session, rng: random.Random) -> list[tuple[str, str, str]]:
    generate_demo(session, accounts=40, people=1500, agents=30, seed=SEED, now=NOW)
    for key in session.scalars(select(AccountRow.key)):
        # the law firm's script dispatches to its on-call rota, which must exist to be saved
        shift = {"contacts": ["+33612345678"], "hours": "mon-sun 00:00-24:00"}
        set_rota(
            session, key, {"key": "permanence", "name": "Permanence", "shifts": [shift]}, now=NOW
        )
        save_script(session, key, Owner("account"), FIRM, now=NOW)
    direct = session.execute(
        select(NumberRow.e164, AccountRow.key, PersonRow.key)
        .join(AccountRow, NumberRow.account_id == AccountRow.id)
        .join(PersonRow, NumberRow.person_id == PersonRow.id)
    ).all()
    for i, (number, account, person) in enumerate(direct):
        if i % 10 == 0:
            save_script(session, account, Owner("person", person), OWN, now=NOW)
        if i % 5 == 0:
            set_status(session, account, person, State.MEETING, now=NOW - timedelta(minutes=20))
        for days in range(i % 4):
            record = CallRecord(
                CALLERS[(i + days) % 4], number, NOW - timedelta(days=days + 1),
                person=person, agent=f"agent{i % 30}",
            )  # fmt: skip
            record_call(session, account, record)
    offers = [(number, rng.choice(CALLERS), f"agent{rng.randrange(30)}") for number, _, _ in direct]
    return rng.sample(offers, min(OFFERS, len(offers)))


def _time(fn: Callable[[str, str, str], object], offers: list[tuple[str, str, str]]) -> list[float]:
    out = []
    for number, caller, agent in offers:
        started = time.perf_counter()
        fn(number, caller, agent)
        out.append(time.perf_counter() - started)
    return out


def _report(name: str, timings: list[float]) -> None:
    ms = sorted(t * 1000 for t in timings)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"  {name:<46} median {statistics.median(ms):7.3f} ms   p99 {p99:7.3f} ms")


def run() -> None:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        sessions = session_factory(engine)
        with transaction(sessions) as s:
            offers = _seed(s, rng)
        print(f"demo operator in SQLite: 40 accounts, 1,500 people; {len(offers)} offers")
        with sessions() as s:
            _measure(s, offers)
        engine.dispose()


def _measure(s: Session, offers: list[tuple[str, str, str]]) -> None:
    cache = service.PopCache(FixedClock(NOW))
    warm = lambda n, c, a: cache.screen_pop(s, n, c, agent=a, now=NOW)  # noqa: E731
    fresh = lambda n, c, a: service.screen_pop(s, n, c, agent=a, now=NOW)  # noqa: E731
    _time(warm, offers)  # warm-up: every number's slice and script
    _time(fresh, offers[:20])
    inputs = [_inputs(cache, s, n, c, a) for n, c, a in offers]
    for item in inputs[:20]:
        assemble(item)  # warm-up
    assembly = []
    for item in inputs:
        started = time.perf_counter()
        assemble(item)
        assembly.append(time.perf_counter() - started)
    _report("assembly from inputs in memory (pure)", assembly)
    _report("warm: PopCache.screen_pop (SQLite reads/call)", _time(warm, offers))
    _report("fresh: screen_pop (a cache keeping nothing)", _time(fresh, offers))

    def cold(n: str, c: str, a: str) -> object:
        s.info[SCRIPTS] = ScriptCache()  # what a restarted process starts with
        templates.compiled.cache_clear()
        return service.screen_pop(s, n, c, agent=a, now=NOW)

    shared = scripts_of(s)
    _report("cold: every cache emptied first (baseline)", _time(cold, offers[:100]))
    s.info[SCRIPTS] = shared
    # The number of SQL statements does not depend on how busy the machine is: the figure that
    # shows a slice read once (fresh) or kept (warm), where timings on a shared machine wander.
    for name, fn in (("warm", warm), ("fresh", fresh)):
        counts = _statements(s, fn, offers)
        print(
            f"  {name + ': SQL statements per pop':<46} median {statistics.median(counts):7.1f}"
            f"      max {max(counts):5d}"
        )


def _statements(
    s: Session, fn: Callable[[str, str, str], object], offers: list[tuple[str, str, str]]
) -> list[int]:
    """How many SQL statements each offer's pop runs (an empty identity map for each)."""
    ran = [0]

    def count(*_: object) -> None:
        ran[0] += 1

    _time(fn, offers)  # the warm cache's slices live 30 s: fill them again
    engine = s.get_bind()
    counts = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for number, caller, agent in offers:
            s.expunge_all()  # what a new session per call starts with
            ran[0] = 0
            fn(number, caller, agent)
            counts.append(ran[0])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts


def _inputs(cache: service.PopCache, s: Session, n: str, c: str, a: str) -> PopInputs:
    """The inputs ``assemble`` received for this offer (captured once, reused for timing)."""
    captured: list[PopInputs] = []
    real = service.assemble

    def keep(inputs: PopInputs) -> object:
        captured.append(inputs)
        return real(inputs)

    service.assemble = keep  # type: ignore[assignment]
    try:
        cache.screen_pop(s, n, c, agent=a, now=NOW)
    finally:
        service.assemble = real
    return captured[0]
