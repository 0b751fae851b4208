"""Speed of one call decision: availability (manual, calendar, hours, holidays) + 20 rules.

Workload: one person of a Paris account (Moselle holidays) with 20 rules (caller lists,
availability, day and time windows, holiday, account open, dialled numbers; the matching rule
sits late in the list) and a calendar of 500 VEVENTs: 440 single events over ±60 days and 60
recurring series (daily and weekly, with EXDATEs and moved occurrences). Calls arrive at random
instants over the next 30 days from random callers (a tenth in the VIP list).

accueil expands the calendar once into a sorted index of busy blocks (the work of a feed
refresh), so a decision is a bisect plus the rules. The baseline, in the same process, re-expands
the (already parsed) calendar around the call's instant on every decision.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from accueil.core.availability import CalendarView, Sources, availability_at
from accueil.core.calendar_read import expand, parse_ics, timeline_from_ics
from accueil.core.callers import CallerList, KnownContacts, ListEntry
from accueil.core.decision import Call, CallDirectory, RuleChain, decide
from accueil.core.directory import Account, Device, DeviceKind, Person
from accueil.core.hours import WeeklyHours
from accueil.core.rota import Rota
from accueil.core.rules import Rule
from accueil.services.calendars import upload_calendar
from accueil.services.callers import set_caller_list, set_rota
from accueil.services.decisions import decide_call
from accueil.services.onboarding import load_directory
from accueil.services.rules import save_rules
from accueil.store.db import make_engine, migrate, session_factory, transaction

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 11, 30, 8, tzinfo=UTC)
SINGLE, SERIES, RULES = 440, 60, 20
DECISIONS, BASELINE_DECISIONS, STORE_DECISIONS = 20_000, 300, 2_000
STORE_DIRECTORY = {
    "accounts": [{"key": "martin", "name": "Cabinet Martin", "subdivision": "57",
                  "business_hours": "mon-fri 09:00-12:30,14:00-18:00"}],
    "people": [{"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "M",
                "devices": ["mobile=mobile:+33612345678", "desk=desk:sip:2001@pbx.example"]}],
    "numbers": [{"number": "+33140000001", "account": "martin", "person": "claire"},
                {"number": "+33140000099", "account": "martin"}],  # the press line of a rule
}  # fmt: skip

ACCOUNT = Account(
    key="martin",
    name="Cabinet Martin",
    answer_name="Cabinet Martin",
    subdivision="57",
    business_hours=WeeklyHours.parse("mon-fri 09:00-12:30,14:00-18:00"),
)
PERSON = Person(
    account="martin",
    key="claire",
    first_name="Claire",
    last_name="Martin",
    devices=(
        Device("mobile", DeviceKind.MOBILE, "+33612345678"),
        Device("desk", DeviceKind.DESK, "sip:2001@pbx.example"),
    ),
)


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_bytes(rng: random.Random) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//accueil bench//EN"]
    for i in range(SINGLE):
        start = START + timedelta(minutes=15 * rng.randrange(-60 * 96, 60 * 96))
        length = timedelta(minutes=rng.choice([30, 45, 60, 90, 120]))
        extra = ["TRANSP:TRANSPARENT"] if i % 9 == 0 else []
        extra += ["CATEGORIES:Out of office"] if i % 37 == 0 else []
        lines += ["BEGIN:VEVENT", f"UID:s{i}", f"DTSTART:{_stamp(start)}"]
        lines += [
            f"DTEND:{_stamp(start + length)}",
            f"SUMMARY:Rendez-vous {i}",
            *extra,
            "END:VEVENT",
        ]
    for i in range(SERIES):
        start = START.replace(hour=7 + i % 9) - timedelta(days=rng.randrange(0, 90))
        rule = "FREQ=DAILY;INTERVAL=2" if i % 3 == 0 else "FREQ=WEEKLY"
        lines += ["BEGIN:VEVENT", f"UID:r{i}", f"DTSTART:{_stamp(start)}"]
        lines += [f"DTEND:{_stamp(start + timedelta(minutes=45))}", f"RRULE:{rule};COUNT=80"]
        lines += [
            f"EXDATE:{_stamp(start + timedelta(days=14))}",
            f"SUMMARY:Série {i}",
            "END:VEVENT",
        ]
        moved = start + timedelta(days=7)
        lines += ["BEGIN:VEVENT", f"UID:r{i}", f"RECURRENCE-ID:{_stamp(moved)}"]
        lines += [f"DTSTART:{_stamp(moved + timedelta(hours=1))}"]
        lines += [f"DTEND:{_stamp(moved + timedelta(hours=2))}", f"SUMMARY:Série {i} (moved)"]
        lines += ["END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode() + b"\r\n"


def rules() -> tuple[Rule, ...]:
    specs: list[dict[str, object]] = [
        {"when": {"caller_in_list": "blocked"}, "then": {"type": "reject"}},
        {
            "when": {"all": [{"caller_in_list": "family"}, {"hours": "sat,sun 09:00-20:00"}]},
            "then": {"type": "connect", "devices": [{"device": "mobile"}]},
        },
        {"when": {"dialled": ["+33140000099"]}, "then": {"type": "answer", "script": "press"}},
        {"when": {"caller_withheld": True}, "then": {"type": "reject", "mode": "busy"}},
        {
            "when": {"all": [{"holiday": True}, {"caller_in_list": "VIP"}]},
            "then": {"type": "on_call", "rota": "nuits"},
        },
    ]
    for day in ("mon", "tue", "wed", "thu"):
        specs.append(
            {
                "when": {"all": [{"days": [day]}, {"hours": "mon-fri 07:00-07:30"}]},
                "then": {"type": "message"},
            }
        )
    for k in range(8):
        specs.append(
            {
                "when": {
                    "all": [
                        {"caller_in_list": f"list{k}"},
                        {"not": {"availability": ["available"]}},
                    ]
                },
                "then": {"type": "message", "urgency": "urgent"},
            }
        )
    specs.append(
        {
            "when": {"all": [{"caller_in_list": "VIP"}, {"availability": ["meeting", "busy"]}]},
            "then": {
                "type": "connect",
                "devices": [{"device": "mobile", "timeout": 20}],
                "no_answer": {"type": "message"},
            },
        }
    )
    specs.append({"when": {"account_open": False}, "then": {"type": "on_call", "rota": "nuits"}})
    specs.append(
        {
            "when": {"caller_known": True},
            "then": {
                "type": "connect",
                "devices": [{"device": "desk"}],
                "no_answer": {"type": "answer"},
            },
        }
    )
    assert len(specs) == RULES
    return tuple(Rule.model_validate({"name": f"rule {i}", **s}) for i, s in enumerate(specs))


def directory(rng: random.Random) -> CallDirectory:
    def numbers(n: int) -> list[ListEntry]:
        return [ListEntry(f"+3361{rng.randrange(10**7):07d}") for _ in range(n)]

    lists = {f"list{k}": CallerList.of(f"list{k}", numbers(50)) for k in range(8)}
    lists |= {
        "VIP": CallerList.of("VIP", [*numbers(30), ListEntry("+4420*")]),
        "blocked": CallerList.of("blocked", [ListEntry("+33899*")]),
        "family": CallerList.of("family", numbers(5)),
    }
    contacts = KnownContacts({f"+3314{rng.randrange(10**7):07d}": "contact" for _ in range(500)})
    rota = Rota.model_validate(
        {"key": "nuits", "shifts": [{"hours": "mon-sun 00:00-24:00", "contacts": ["+33611111111"]}]}
    )
    return CallDirectory(ACCOUNT, PERSON, lists, contacts, {"nuits": rota})


def calls(rng: random.Random, d: CallDirectory, n: int) -> list[tuple[datetime, Call]]:
    vip = [e.pattern for e in d.lists["VIP"].entries if not e.pattern.endswith("*")]
    out = []
    for _ in range(n):
        at = START + timedelta(seconds=rng.randrange(30 * 86400))
        caller = rng.choice(vip) if rng.random() < 0.1 else f"+3315{rng.randrange(10**7):07d}"
        out.append((at, Call(caller, "+33140000001")))
    return out


def _figures(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{name:<34} median {statistics.median(ordered):9.1f} µs   p99 {p99:9.1f} µs"
        f"   ({len(samples)} decisions)"
    )


def run() -> None:
    rng = random.Random(7)
    data = calendar_bytes(rng)
    d, chain = directory(rng), RuleChain(person=rules())
    workload = calls(rng, d, DECISIONS)
    print(
        f"workload: 1 person, {RULES} rules, {SINGLE + SERIES} VEVENTs ({SERIES} recurring "
        f"series with EXDATE and moved occurrences, {len(data) // 1024} KiB), "
        f"{DECISIONS} calls over 30 days"
    )

    began = time.perf_counter()
    timeline = timeline_from_ics(
        data,
        PARIS,
        START,
    )
    built = (time.perf_counter() - began) * 1000
    print(
        f"refresh (parse + expand {timeline.events} occurrences into {len(timeline.blocks)} "
        f"busy blocks): {built:.0f} ms, once per feed refresh"
    )
    view = CalendarView(timeline, START)

    indexed, matched = [], 0
    for at, call in workload:
        t0 = time.perf_counter_ns()
        availability = availability_at(PERSON, ACCOUNT, at, Sources(calendar=view))
        decision = decide(call, d, availability, chain, at)
        indexed.append((time.perf_counter_ns() - t0) / 1000)
        matched += decision.rule != "fallback"
    print(_figures("accueil: indexed timeline", indexed))
    print(f"  {matched / len(workload):.0%} of calls matched a rule; the rest fell back to answer")

    calendar = parse_ics(data)
    naive = []
    for at, call in workload[:BASELINE_DECISIONS]:
        t0 = time.perf_counter_ns()
        around = expand(calendar, PARIS, at - timedelta(days=1), at + timedelta(days=1))
        availability = availability_at(
            PERSON, ACCOUNT, at, Sources(calendar=CalendarView(around, START))
        )
        decide(call, d, availability, chain, at)
        naive.append((time.perf_counter_ns() - t0) / 1000)
    print(_figures("baseline: re-expand per decision", naive))
    speedup = statistics.median(naive) / statistics.median(indexed)
    print(f"  the indexed timeline is {speedup:.0f}× faster at the median (target: < 200 µs)")
    _from_the_store(data, sorted(workload[:STORE_DECISIONS], key=lambda w: w[0]))


def _from_the_store(data: bytes, workload: list[tuple[datetime, Call]]) -> None:
    """The same decisions through services.decisions.decide_call on a SQLite file: the SQL
    reads (number, person, lists, contacts, rotas, closures, status, feed, three rule sets)
    plus the core decision; calls come in time order, as they do."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrate(engine)
        factory = session_factory(engine)
        with transaction(factory) as s:
            load_directory(s, STORE_DIRECTORY, source="bench", now=START)
            set_caller_list(s, "martin", "VIP", ["+4420*", "+33699887766"], now=START)
            for key in ("blocked", "family", *(f"list{k}" for k in range(8))):
                set_caller_list(s, "martin", key, ["+33899*"], now=START)
            shift = {"hours": "mon-sun 00:00-24:00", "contacts": ["+33611111111"]}
            set_rota(s, "martin", {"key": "nuits", "shifts": [shift]}, now=START)
            document = {"account": "martin", "person": "claire", "rules": []}
            document["rules"] = [r.model_dump(mode="json", by_alias=True) for r in rules()]
            save_rules(s, "martin", document, now=START)
            upload_calendar(s, "martin", "claire", data, now=START)
        samples = []
        with factory() as s:
            for at, call in workload:
                t0 = time.perf_counter_ns()
                decide_call(s, call.caller, "+33140000001", now=at)
                samples.append((time.perf_counter_ns() - t0) / 1000)
        engine.dispose()
    print(_figures("services: decide_call on SQLite", samples))
