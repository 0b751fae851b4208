"""Import 100,000 people from CSV into a fresh SQLite file: rows per second and peak memory.

Workload: 1,000 accounts (3 groups each) and 100,000 people, each with a mobile (a national
number read in the account's country), a desk SIP phone, two languages and a group; validated
whole, then written in bulk. Baselines in the same process: the same import on 10,000 people
(to show it scales linearly), naive one-by-one ORM adds of 10,000 people (what the bulk path
replaces), and re-importing the 100,000 (nothing to change).

Memory is the process's peak resident set size (``ru_maxrss``, Linux, KiB), read before and
after: the interpreter and libraries included, so an upper bound on what the import needs.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from accueil.services.onboarding import import_files
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import AccountRow, PersonRow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes

ACCOUNTS = 1_000
PEOPLE = 100_000
SMALL = 10_000
GROUPS = ("direction", "commercial", "technique")
FIRST = ("Jeanne", "Paul", "Lucie", "Hugo", "Chloé", "Louis", "Inès", "Jules", "Léa", "Théo")
LAST = ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Garnier", "Faure")


def _write_csv(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def _person(i: int, rng: random.Random) -> list[str]:
    account = f"acc{i % ACCOUNTS:04d}"
    digits = f"{i:08d}"
    mobile = f"06 {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"  # read in FR
    devices = f"mobile:{mobile}|desk:sip:{1000 + i % 9000}@{account}.pbx.example"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    group = rng.choice(GROUPS)
    return [account, f"p{i:06d}", first, last, group, "fr|en", f"p{i}@example.com", devices]


def make_files(directory: Path, people: int) -> list[Path]:
    """accounts.csv, groups.csv and people.csv (rows streamed: generating costs no memory)."""
    rng = random.Random(7)
    accounts = directory / "accounts.csv"
    tiers = ("premium", "standard", "economy")
    _write_csv(
        accounts,
        ["key", "name", "business_hours", "tier"],
        (
            [f"acc{a:04d}", f"Client {a}", "mon-fri 09:00-18:00", tiers[a % 3]]
            for a in range(ACCOUNTS)
        ),
    )
    groups = directory / "groups.csv"
    _write_csv(
        groups,
        ["account", "key", "name"],
        ([f"acc{a:04d}", g, g.title()] for a in range(ACCOUNTS) for g in GROUPS),
    )
    people_csv = directory / "people.csv"
    header = ["account", "key", "first_name", "last_name", "group", "languages", "email", "devices"]
    _write_csv(people_csv, header, (_person(i, rng) for i in range(people)))
    return [accounts, groups, people_csv]


def timed_import(url: str, files: list[Path]) -> tuple[float, float, str]:
    """Wall-clock and CPU seconds of one import (reading, validating, writing, committing)."""
    engine = make_engine(url)
    migrate(engine)
    started, cpu = time.perf_counter(), time.process_time()
    with transaction(session_factory(engine)) as session:
        report = import_files(session, files, now=NOW)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu, "; ".join(report.lines())


def naive_adds(url: str, people: int) -> tuple[float, float]:
    """The baseline the bulk path replaces: one ORM object per person, flushed one by one."""
    engine = make_engine(url)
    migrate(engine)
    sessions = session_factory(engine)
    started, cpu = time.perf_counter(), time.process_time()
    with transaction(sessions) as session:
        ids = {}
        for a in range(ACCOUNTS):
            row = AccountRow(
                key=f"acc{a:04d}", name=f"Client {a}", answer_name=f"Client {a}", languages=["fr"]
            )
            session.add(row)
            session.flush()
            ids[a] = row.id
        for i in range(people):
            session.add(
                PersonRow(
                    account_id=ids[i % ACCOUNTS],
                    key=f"p{i:06d}",
                    first_name="X",
                    last_name="Y",
                    languages=["fr", "en"],
                    devices=[{"key": "mobile", "kind": "mobile", "address": "+33600000000"}],
                )
            )
            session.flush()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="accueil-bench-") as tmp:
        root = Path(tmp)
        (root / "big").mkdir()
        (root / "small").mkdir()
        big = make_files(root / "big", PEOPLE)
        small = make_files(root / "small", SMALL)
        size = sum(p.stat().st_size for p in big) / 2**20
        print(
            f"workload: {ACCOUNTS:,} accounts, {len(GROUPS) * ACCOUNTS:,} groups, {PEOPLE:,} "
            f"people (mobile + desk + 2 languages + group each), CSV {size:.1f} MiB, "
            f"fresh SQLite file; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        small_wall, small_cpu, _ = timed_import(f"sqlite:///{root / 'small.db'}", small)
        naive = naive_adds(f"sqlite:///{root / 'naive.db'}", SMALL)
        rss_before = _rss_mib()
        wall, cpu, lines = timed_import(f"sqlite:///{root / 'big.db'}", big)
        rss_after = _rss_mib()
        again_wall, again_cpu, again = timed_import(f"sqlite:///{root / 'big.db'}", big)

        def line(label: str, people: int, wall: float, cpu: float, note: str) -> None:
            print(
                f"  {label:<28} {wall:6.2f} s wall {people / wall:8,.0f} people/s | "
                f"{cpu:6.2f} s CPU {people / cpu:8,.0f} people/s  {note}"
            )

        line(f"import {PEOPLE:,} people", PEOPLE, wall, cpu, f"({lines})")
        line(f"import {SMALL:,} people", SMALL, small_wall, small_cpu, "(same path, 1/10 size)")
        line(f"naive ORM adds {SMALL:,}", SMALL, naive[0], naive[1], "(baseline: no validation)")
        line(f"re-import {PEOPLE:,}", PEOPLE, again_wall, again_cpu, f"({again})")
        print(
            f"  peak RSS of the process (ru_maxrss, interpreter included): {rss_before:.0f} MiB "
            f"before the {PEOPLE:,} import, {rss_after:.0f} MiB after"
        )
        rate_ok = PEOPLE / wall > 5000
        memory_ok = rss_after * 2**20 < 500e6
        print(
            f"  targets: > 5,000 people/s wall: {'met' if rate_ok else 'MISSED'}; "
            f"< 500 MB: {'met' if memory_ok else 'MISSED'}"
        )
