"""The personal side of the demo operator: caller lists, rules, statuses and scripts.

``generate_demo`` gives the directory; this gives what makes each receptionist personal, so that
``accueil demo`` shows calls decided by a person's own rules and availability. Deterministic for
a seed, and applied once: an account that already has its VIP list is left as it is, so a second
``accueil demo`` adds no new versions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.availability import State
from accueil.core.directory import Account, DeviceKind, Person
from accueil.services.availability import set_status
from accueil.services.callers import add_contact, caller_lists, set_caller_list
from accueil.services.directory import list_accounts, list_people
from accueil.services.rules import save_rules
from accueil.services.scripts import Owner, save_script
from accueil.store.tables import NumberRow

# A Monday mid-morning in Paris: the instant the demo's sample calls are decided at.
SAMPLE_INSTANT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
# Callers the demo puts in every account's lists, so sample calls show each kind of rule.
VIP_CALLER = "+33699887766"
BLOCKED_CALLER = "+33899123456"
STRANGER_CALLER = "+33612345678"
_MEETINGS = {
    "fr": ("Comité de direction", "Rendez-vous client", "Audience", "Réunion d'équipe"),
    "en": ("Board meeting", "Client meeting", "Site visit", "Team meeting"),
}


@dataclass
class Furnished:
    """What was added, and the people the sample calls are best made to."""

    accounts: int = 0
    rules: int = 0
    statuses: int = 0
    scripts: int = 0
    showcase: list[tuple[str, str]] = field(default_factory=list)  # (account, person) with rules

    def lines(self) -> list[str]:
        if not self.accounts:
            return ["personal settings: already in place"]
        return [
            f"personal settings: {self.accounts} accounts with caller lists and a script, "
            f"{self.rules} rule sets, {self.statuses} statuses"
        ]


def furnish_demo(session: Session, seed: int = 7, now: datetime = SAMPLE_INSTANT) -> Furnished:
    """Give the demo operator's accounts and people their lists, rules, statuses and scripts."""
    rng = random.Random(seed)
    done = Furnished()
    for account in list_accounts(session):
        if "vip" in caller_lists(session, account.key):
            continue
        _furnish_account(session, account, rng, _standard_script(account), now, done)
    return done


def _standard_script(account: Account) -> str:
    """The standard script in the account's first language: English, else French."""
    english = account.languages[:1] == ("en",)
    name = "standard_en.yaml" if english else "standard.yaml"
    return (resources.files("accueil.demo.scripts") / name).read_text("utf-8")


def showcase(session: Session, limit: int = 1) -> list[tuple[str, str, str]]:
    """(account, person, direct number) of people in a meeting, with rules the demo can show."""
    rows = session.execute(
        select(NumberRow.e164, NumberRow.account_id, NumberRow.person_id)
        .where(NumberRow.person_id.is_not(None))
        .order_by(NumberRow.e164)
    ).all()
    found: list[tuple[str, str, str]] = []
    for account in list_accounts(session):
        for person in _in_meeting(_with_rules(account, list_people(session, account.key))):
            number = next((e for e, _a, pid in rows if pid == person.id), None)
            if number:
                found.append((account.key, person.key, number))
                if len(found) >= limit:
                    return found
    return found


def _with_rules(account: Account, people: list[Person]) -> list[Person]:
    return [p for i, p in enumerate(people) if i % 3 == 0 and _mobile(p)]


def _in_meeting(people: list[Person]) -> list[Person]:
    """A third of the people with rules are in a meeting at the sample instant."""
    return people[::3]


def _mobile(person: Person) -> str:
    return next((d.key for d in person.devices if d.kind is DeviceKind.MOBILE), "")


def _furnish_account(
    session: Session,
    account: Account,
    rng: random.Random,
    script: str,
    now: datetime,
    done: Furnished,
) -> None:
    english = account.languages[:1] == ("en",)
    client = "The client" if english else "Le client"
    set_caller_list(session, account.key, "vip", [(VIP_CALLER, client)], name="VIP", now=now)
    set_caller_list(
        session, account.key, "blocked", [BLOCKED_CALLER, "+3389*"], name="Blocked", now=now
    )
    add_contact(session, account.key, VIP_CALLER, client, now=now)
    save_rules(session, account.key, _account_rules(account), saved_by="demo", now=now)
    save_script(session, account.key, Owner("account", ""), script, saved_by="demo", now=now)
    done.accounts += 1
    done.scripts += 1
    done.rules += 1
    people = _with_rules(account, list_people(session, account.key))
    for person in people:
        save_rules(session, account.key, _person_rules(account, person), saved_by="demo", now=now)
        done.rules += 1
    for person in _in_meeting(people):
        set_status(
            session,
            account.key,
            person.key,
            State.MEETING,
            until=now + timedelta(minutes=rng.choice((30, 60, 90))),
            note=rng.choice(_MEETINGS["en" if english else "fr"]),
            origin="demo",
            now=now - timedelta(minutes=20),
        )
        done.statuses += 1


def _account_rules(account: Account) -> dict[str, object]:
    return {
        "account": account.key,
        "rules": [
            {
                "name": "blocked callers",
                "when": {"caller_in_list": "blocked"},
                "then": {"type": "reject", "mode": "polite"},
            },
            {
                "name": "closed → message",
                "when": {"account_open": False},
                "then": {"type": "message", "delivery": ["email"]},
            },
        ],
    }


def _person_rules(account: Account, person: Person) -> dict[str, object]:
    return {
        "account": account.key,
        "person": person.key,
        "rules": [
            {
                "name": "VIP → mobile",
                "when": {"caller_in_list": "vip"},
                "then": {
                    "type": "connect",
                    "devices": [{"device": _mobile(person), "timeout": 20}],
                    "no_answer": {"type": "message", "urgency": "urgent", "delivery": ["sms"]},
                },
            },
            {
                "name": "in a meeting → message",
                "when": {"availability": ["meeting"]},
                "then": {"type": "message", "delivery": ["email", "sms"]},
            },
        ],
    }
