"""Finding anyone: top-10 search in one 5,000-person account and across a 100,000-person
directory, in the index alone and through the service (with availability) on a SQLite file.

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

Service (``services.search.search``, what the screen pop and the desk call): the same queries in
a SQLite file holding the directory (one person in five with a status, one in fifty with a
calendar), index kept, availability of the rows shown. Its build time is the first search
(directory read + index). Baseline, same process and file: the previous service path — the
index checked by counting and stamping the account's people and groups on every search, and
availability read person by person for the rows shown.
"""

from __future__ import annotations

import random
import time

from faker import Faker
from rapidfuzz import fuzz, process

from accueil.core.directory import Account, Group, Person
from accueil.core.search import SearchIndex
from bench.search_service import service_case
from bench.search_workload import GROUPS, SEED, groups_of, heard, people_of, report, timed

ACCOUNT_SIZE, DIRECTORY_SIZE, PER_ACCOUNT = 5_000, 100_000, 500
QUERIES, WARM_UP = 1_000, 50
BASELINE_QUERIES = {1: 200, 200: 30}  # the baseline is slow across 100,000 people


def _case(title: str, accounts: list[Account], people: list[Person], groups: list[Group]) -> None:
    rng = random.Random(SEED)
    started = time.perf_counter()
    index = SearchIndex.across(accounts, people, groups, with_accounts=len(accounts) > 1)
    built = time.perf_counter() - started
    print(f"{title}: {len(people):,} people, {len(accounts)} account(s), "
          f"{index.vocabulary_size:,} distinct words; index built in {built:.2f} s")  # fmt: skip
    sample = rng.sample(people, QUERIES + WARM_UP)
    queries = [(heard(p, rng), p.key if len(accounts) == 1 else f"{p.account}:{p.key}")
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
    timed(ours, warm_up)
    report("accueil index", *timed(ours, queries))
    few = queries[: BASELINE_QUERIES[len(accounts)]]
    report("baseline: process.extract WRatio", *timed(baseline, few))
    print("  examples:", "; ".join(q for q, _ in queries[:4]))


def run() -> None:
    faker = Faker(["fr_FR", "en_GB"])
    Faker.seed(SEED)
    rng = random.Random(SEED)
    one = Account("acme", "Groupe Acme", "Groupe Acme")
    acme = people_of(faker, "acme", ACCOUNT_SIZE, rng)
    _case("one account", [one], acme, groups_of("acme"))
    service_case("through the service, one account", [one], acme, groups_of("acme"))
    accounts, people, groups = [], [], []
    for a in range(DIRECTORY_SIZE // PER_ACCOUNT):
        name = f"{faker['fr_FR'].company()} {a}"
        account = Account(f"a{a}", name, name)
        accounts.append(account)
        people += people_of(faker, account.key, PER_ACCOUNT, rng)
        groups += groups_of(account.key)
    _case("across all accounts", accounts, people, groups)
    service_case("through the service, 100,000 people", accounts, people, groups)
