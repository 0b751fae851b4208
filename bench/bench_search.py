"""Finding anyone: top-10 search in one 5,000-person account and across a 100,000-person
directory.

Workload: names drawn with Faker (fr_FR and en_GB, seeded), 30 groups per account, job titles.
Queries are what an agent types while listening, made from a person of the directory: the full
name with a typo, the last name spelled by ear (Lefèvre → Lefebvre-like rewrites), "Madame X
in <group>", a first name and a prefix, or the last name alone.

accueil: an index of the directory's distinct words (built once), queried word by word with
rapidfuzz and the phonetic key, scored with numpy. Baseline, same process: rapidfuzz's
``process.extract`` with WRatio over every person's "first last — title, group" text, no index.
Quality: the share of queries whose person is in the top 3, for both. Many queries are
ambiguous on purpose ("monsieur Garcia" among several Garcias, more so across 200 accounts),
so the figure compares the two methods; the curated quality list is in the tests.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from faker import Faker
from rapidfuzz import fuzz, process

from accueil.core.directory import Account, Group, Person
from accueil.core.search import SearchIndex

SEED = 11
ACCOUNT_SIZE, DIRECTORY_SIZE, PER_ACCOUNT = 5_000, 100_000, 500
QUERIES, WARM_UP = 1_000, 50
BASELINE_QUERIES = {1: 200, 200: 30}  # the baseline is slow across 100,000 people
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


def _people(faker: Faker, account: str, n: int, rng: random.Random) -> list[Person]:
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


def _groups(account: str) -> list[Group]:
    return [Group(account, f"g{i}", name) for i, name in enumerate(GROUPS)]


def _heard(p: Person, rng: random.Random) -> str:
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


def _time(
    fn: Callable[[str], list[str]], queries: list[tuple[str, str]]
) -> tuple[list[float], float]:
    timings, found = [], 0
    for text, key in queries:
        started = time.perf_counter()
        top = fn(text)
        timings.append(time.perf_counter() - started)
        found += key in top[:3]
    return timings, found / len(queries)


def _report(name: str, timings: list[float], quality: float) -> None:
    ms = sorted(t * 1000 for t in timings)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(
        f"  {name:<34} median {statistics.median(ms):7.2f} ms   p99 {p99:7.2f} ms   "
        f"top-3 found {quality:6.1%}   ({len(ms)} queries)"
    )


def _case(title: str, accounts: list[Account], people: list[Person], groups: list[Group]) -> None:
    rng = random.Random(SEED)
    started = time.perf_counter()
    index = SearchIndex.across(accounts, people, groups, with_accounts=len(accounts) > 1)
    built = time.perf_counter() - started
    print(f"{title}: {len(people):,} people, {len(accounts)} account(s), "
          f"{index.vocabulary_size:,} distinct words; index built in {built:.2f} s")  # fmt: skip
    sample = rng.sample(people, QUERIES + WARM_UP)
    queries = [(_heard(p, rng), p.key if len(accounts) == 1 else f"{p.account}:{p.key}")
               for p in sample]  # fmt: skip

    def ours(text: str) -> list[str]:
        hits = index.search(text, limit=10)
        return [h.key if len(accounts) == 1 else f"{h.account}:{h.key}" for h in hits]

    labels = [
        f"{p.first_name} {p.last_name} — {p.title}, {GROUPS[int(p.group[1:])]}" for p in people
    ]
    keys = [p.key if len(accounts) == 1 else f"{p.account}:{p.key}" for p in people]

    def baseline(text: str) -> list[str]:
        found = process.extract(text, labels, scorer=fuzz.WRatio, limit=10)
        return [keys[i] for _, _, i in found]

    warm_up, queries = queries[:WARM_UP], queries[WARM_UP:]
    _time(ours, warm_up)
    _report("accueil index", *_time(ours, queries))
    few = queries[: BASELINE_QUERIES[len(accounts)]]
    _report("baseline: process.extract WRatio", *_time(baseline, few))
    print("  examples:", "; ".join(q for q, _ in queries[:4]))


def run() -> None:
    faker = Faker(["fr_FR", "en_GB"])
    Faker.seed(SEED)
    rng = random.Random(SEED)
    one = Account("acme", "Groupe Acme", "Groupe Acme")
    _case("one account", [one], _people(faker, "acme", ACCOUNT_SIZE, rng), _groups("acme"))
    accounts, people, groups = [], [], []
    for a in range(DIRECTORY_SIZE // PER_ACCOUNT):
        name = f"{faker['fr_FR'].company()} {a}"
        account = Account(f"a{a}", name, name)
        accounts.append(account)
        people += _people(faker, account.key, PER_ACCOUNT, rng)
        groups += _groups(account.key)
    _case("across all accounts", accounts, people, groups)
