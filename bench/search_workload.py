"""The search benchmark's workload: a directory drawn with Faker and what an agent types."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from faker import Faker

from accueil.core.directory import Group, Person

SEED = 11
GROUPS = [
    "Accounting", "Comptabilité", "Sales", "Direction", "Juridique", "Ressources humaines",
    "IT", "Logistique", "Achats", "Marketing", "Cardiologie", "Pédiatrie", "Radiologie",
    "Accueil", "Maintenance", "Qualité", "Recherche", "Formation", "Export", "Paie",
    "Contentieux", "Fiscal", "Social", "Immobilier", "Conseil", "Audit", "Support",
    "Production", "Communication", "Secrétariat",
]  # fmt: skip
# How a name is misheard or mistyped: spelling-by-ear rewrites, then a keyboard slip.
EAR = [("ph", "f"), ("è", "e"), ("é", "e"), ("eau", "o"), ("th", "t"), ("ll", "l"),
       ("c", "k"), ("y", "i"), ("ault", "o"), ("ç", "s"), ("mm", "m"), ("ie", "i")]  # fmt: skip


def people_of(faker: Faker, account: str, n: int, rng: random.Random) -> list[Person]:
    out = []
    for i in range(n):
        locale = faker["fr_FR"] if rng.random() < 0.7 else faker["en_GB"]
        out.append(
            Person(
                account,
                f"p{i}",
                locale.first_name(),
                locale.last_name(),
                title=locale.job()[:60] if rng.random() < 0.6 else "",
                group=f"g{rng.randrange(len(GROUPS))}",
            )
        )
    return out


def groups_of(account: str) -> list[Group]:
    return [Group(account, f"g{i}", name) for i, name in enumerate(GROUPS)]


def heard(p: Person, rng: random.Random) -> str:
    last = p.last_name
    for a, b in rng.sample(EAR, 3):
        last = last.replace(a, b)
    if rng.random() < 0.3 and len(last) > 4:
        i = rng.randrange(1, len(last) - 1)
        last = last[:i] + last[i + 1 :]  # a letter missed
    group = GROUPS[int(p.group[1:])]
    return rng.choice(
        [
            f"{p.first_name} {last}",
            f"Madame {last} in {group}",
            f"{p.first_name} {p.last_name[:4]}",
            f"monsieur {last}",
            f"{last} {group}",
        ]
    )


def timed(
    fn: Callable[[str], list[str]], queries: list[tuple[str, str]]
) -> tuple[list[float], float]:
    timings, found = [], 0
    for text, key in queries:
        started = time.perf_counter()
        top = fn(text)
        timings.append(time.perf_counter() - started)
        found += key in top[:3]
    return timings, found / len(queries)


def report(name: str, timings: list[float], quality: float, cpu: list[float] | None = None) -> None:
    """One line of figures; ``cpu``: each query's CPU seconds (its thread's), which a machine
    shared with other work does not inflate the way it inflates wall time."""
    ms = sorted(t * 1000 for t in timings)
    per = ""
    if cpu is not None:
        used = sorted(t * 1000 for t in cpu)
        per = f"   cpu median {statistics.median(used):6.2f} ms p99 {_p99(used):6.2f} ms"
    print(
        f"  {name:<34} median {statistics.median(ms):7.2f} ms   p99 {_p99(ms):7.2f} ms   "
        f"top-3 found {quality:6.1%}   ({len(ms)} queries){per}"
    )


def _p99(ms: list[float]) -> float:
    return ms[min(len(ms) - 1, int(len(ms) * 0.99))]
