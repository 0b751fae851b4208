"""Demo data: a plausible operator, deterministic for a seed, loaded through the import path.

French and English clients (law firms, clinics, plumbers, agencies, accountants…), their
people with devices and direct lines, and a pool of agents on two sites and at home. The same
seed gives the same directory, byte for byte once exported.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import phonenumbers
from faker import Faker
from sqlalchemy.orm import Session

from accueil.demo.catalogue import (
    COLOURS,
    FR_TRADES,
    GB_TRADES,
    GREETING,
    PART_TIME,
    SITES,
    SUBDIVISIONS,
    TIERS,
    Trade,
)
from accueil.services.onboarding import ImportReport, load_directory

Entry = dict[str, Any]
Shapes = Mapping[str, tuple[tuple[str, int], ...]]
# National number shapes: a prefix and how many random digits follow.
_SWITCHBOARD: Shapes = {
    "FR": (("01", 8), ("04", 8), ("05", 8), ("09", 8)),
    "GB": (("020 7", 7), ("0161", 7)),
}
_MOBILE: Shapes = {"FR": (("06", 8), ("07", 8)), "GB": (("074", 8), ("075", 8))}


def generate_demo(
    session: Session,
    accounts: int = 40,
    people: int = 1500,
    agents: int = 30,
    seed: int = 7,
    *,
    now: datetime,
) -> ImportReport:
    """Generate a demo operator and import it in ``session``'s transaction (at ``now``)."""
    document = demo_document(accounts=accounts, people=people, agents=agents, seed=seed)
    return load_directory(session, document, source=f"demo-data seed {seed}", now=now)


def demo_document(*, accounts: int, people: int, agents: int, seed: int) -> dict[str, list[Entry]]:
    """The demo directory as import data (no database needed)."""
    return _Generator(seed).document(accounts, people, agents)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-")


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {"FR": Faker("fr_FR"), "GB": Faker("en_GB")}
        for i, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed * 31 + i)
        self.numbers: set[str] = set()
        self.account_keys: set[str] = set()
        self.doc: dict[str, list[Entry]] = {
            k: [] for k in ("accounts", "groups", "people", "numbers", "agents")
        }

    def document(self, accounts: int, people: int, agents: int) -> dict[str, list[Entry]]:
        trades = [self.account() for _ in range(accounts)]
        for (entry, trade), size in zip(trades, self.sizes(people, accounts), strict=True):
            self.staff(entry, trade, size)
        self.pool(agents, [entry for entry, _ in trades])
        return self.doc

    def sizes(self, people: int, accounts: int) -> list[int]:
        """Company sizes vary a lot: a few big firms, many small ones."""
        if accounts == 0:
            return []
        weights = [self.rng.lognormvariate(0, 0.9) for _ in range(accounts)]
        total = sum(weights)
        sizes = [int(people * w / total) for w in weights]
        for i in range(people - sum(sizes)):
            sizes[i % accounts] += 1
        return sizes

    def account(self) -> tuple[Entry, Trade]:
        country = "GB" if self.rng.random() < 0.15 else "FR"
        trade = self.rng.choice(GB_TRADES if country == "GB" else FR_TRADES)
        faker = self.fakers[country]
        name = self.rng.choice(trade.names).format(
            last=faker.last_name(), last2=faker.last_name(), city=faker.city()
        )
        key = self.unique(slug(name), self.account_keys)
        self.account_keys.add(key)
        tier, _, targets = self.rng.choices(TIERS, weights=[w for _, w, _ in TIERS])[0]
        entry: Entry = {
            "key": key,
            "name": name,
            "answer_name": GREETING[country].format(name=name),
            "country": country,
            "subdivision": self.rng.choice(SUBDIVISIONS[country]),
            "languages": ["fr", "en"]
            if country == "FR" and self.rng.random() < 0.3
            else (["en"] if country == "GB" else ["fr"]),
            "business_hours": self.rng.choice(trade.hours),
            "tier": tier,
            "target_seconds": self.rng.choice(targets),
            "notes": self.rng.choice(trade.notes),
            "colour": self.rng.choice(COLOURS),
        }
        self.doc["accounts"].append(entry)
        for group_key, group_name in trade.groups:
            self.doc["groups"].append({"account": key, "key": group_key, "name": group_name})
        self.number(key, country, _SWITCHBOARD, label="standard")
        return entry, trade

    def staff(self, account: Entry, trade: Trade, size: int) -> None:
        faker = self.fakers[account["country"]]
        taken: set[str] = set()
        domain = f"{slug(account['name'])[:24].strip('-')}.example"
        for _ in range(size):
            first, last = faker.first_name(), faker.last_name()
            key = self.unique(slug(f"{first[0]}{last}"), taken)
            taken.add(key)
            person = self.person(account, trade, key, first, last, domain)
            self.doc["people"].append(person)
            if self.rng.random() < 0.2:
                self.number(
                    account["key"], account["country"], _SWITCHBOARD, person=key, label="direct"
                )

    def person(
        self, account: Entry, trade: Trade, key: str, first: str, last: str, domain: str
    ) -> Entry:
        rng = self.rng
        devices = []
        if rng.random() < 0.9:
            devices.append(f"mobile:{self.fresh(account['country'], _MOBILE)}")
        if rng.random() < 0.7:
            devices.append(f"desk:sip:{rng.randint(200, 899)}@{account['key']}.pbx.example")
        if rng.random() < 0.3:
            devices.append(f"softphone:sip:{key}@{account['key']}.softphone.example")
        languages = list(account["languages"])
        if rng.random() < 0.15:
            languages.append(rng.choice(["en", "es", "de", "it"]))
        entry: Entry = {
            "account": account["key"],
            "key": key,
            "first_name": first,
            "last_name": last,
            "title": rng.choice(trade.titles),
            "group": rng.choice(trade.groups)[0],
            "languages": list(dict.fromkeys(languages)),
            "email": f"{slug(first)}.{slug(last)}@{domain}".replace("-", ""),
            "devices": devices,
            "active": rng.random() > 0.03,
        }
        if rng.random() < 0.2:
            entry["working_hours"] = rng.choice(PART_TIME)
        return entry

    def number(
        self, account: str, country: str, shapes: Shapes, *, person: str = "", label: str = ""
    ) -> None:
        raw = self.fresh(country, shapes)
        self.doc["numbers"].append(
            {"number": raw, "account": account, "person": person, "label": label}
        )

    def fresh(self, country: str, shapes: Shapes) -> str:
        """A valid national number of ``country`` not used yet, written as people write it."""
        while True:
            prefix, digits = self.rng.choice(shapes[country])
            raw = prefix.replace(" ", "") + "".join(
                str(self.rng.randint(0, 9)) for _ in range(digits)
            )
            parsed = phonenumbers.parse(raw, country)
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_valid_number(parsed) and e164 not in self.numbers:
                self.numbers.add(e164)
                return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)

    def pool(self, agents: int, accounts: list[Entry]) -> None:
        faker = self.fakers["FR"]
        keys: set[str] = set()
        pool: list[Entry] = []
        for _ in range(agents):
            first, last = faker.first_name(), faker.last_name()
            key = self.unique(slug(f"{first}-{last}"), keys)
            keys.add(key)
            languages = ["fr"]
            if self.rng.random() < 0.5:
                languages.append("en")
            if self.rng.random() < 0.1:
                languages.append(self.rng.choice(["es", "de", "it"]))
            site = self.rng.choices([s for s, _ in SITES], weights=[w for _, w in SITES])[0]
            pool.append(
                {
                    "key": key,
                    "name": f"{first} {last}",
                    "site": site,
                    "languages": languages,
                    "sip_uri": f"sip:{key}@pool.accueil.example",
                    "trainings": {},
                }
            )
        self.train(pool, accounts)
        self.doc["agents"].extend(pool)

    def train(self, pool: list[Entry], accounts: list[Entry]) -> None:
        """Each account gets a few trained agents who speak its first language."""
        for account in accounts:
            speakers = [a for a in pool if account["languages"][0] in a["languages"]] or pool
            for agent in self.rng.sample(speakers, min(len(speakers), self.rng.randint(3, 6))):
                agent["trainings"][account["key"]] = self.rng.choices([1, 2, 3], weights=[5, 3, 2])[
                    0
                ]

    @staticmethod
    def unique(base: str, taken: set[str]) -> str:
        base = base or "x"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate
