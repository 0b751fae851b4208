"""A two-tenant world for the pages: "alpha" (a French law firm) and "bravo" (an English-speaking
plumber), one user of each role with a password, on a real database and a fixed clock."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.core.delivery import Level
from accueil.services import users
from accueil.services.callers import set_caller_list
from accueil.services.calls import CallRecord, record_call
from accueil.services.clock import FixedClock
from accueil.services.messages import NewMessage, take_message
from accueil.services.onboarding import load_directory
from accueil.services.script_layers import Owner
from accueil.services.scripts import save_script
from accueil.store.db import session_factory, transaction
from accueil.store.tables_users import UserRow

# a Tuesday, 10:00 in Paris: office hours
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
HASH = users.hash_password(PASSWORD)
DIRECTORY: dict[str, Any] = {
    "accounts": [
        {
            "key": "alpha",
            "name": "Cabinet Alpha",
            "answer_name": "Cabinet Alpha, bonjour",
            "business_hours": "mon-fri 09:00-18:00",
            "languages": ["fr"],
        },
        {
            "key": "bravo",
            "name": "Bravo Plumbing",
            "answer_name": "Bravo Plumbing, good morning",
            "business_hours": "mon-fri 08:00-17:00",
            "languages": ["en"],
            "timezone": "Europe/London",
            "country": "GB",
        },
    ],
    "people": [
        {
            "account": "alpha",
            "key": "claire",
            "first_name": "Claire",
            "last_name": "Fontaine",
            "mobile": "06 12 34 56 78",
        },
        {"account": "alpha", "key": "paul", "first_name": "Paul", "last_name": "Durand"},
        {
            "account": "bravo",
            "key": "bruno",
            "first_name": "Bruno",
            "last_name": "Secret",
            "languages": ["en"],
        },
    ],
    "numbers": [
        {"number": "01 40 00 00 00", "account": "alpha"},
        {"number": "01 40 00 00 01", "account": "alpha", "person": "claire"},
        {"number": "+44 20 7946 0000", "account": "bravo", "person": "bruno"},
    ],
    "agents": [{"key": "alice", "name": "Alice", "site": "lyon", "trainings": {"alpha": 2}}],
}
# user name -> (role, account, person, agent)
USERS: dict[str, tuple[Role, str | None, str | None, str | None]] = {
    "root": (Role.OPERATOR_ADMIN, None, None, None),
    "sup": (Role.SUPERVISOR, None, None, None),
    "alpha_admin": (Role.CLIENT_ADMIN, "alpha", None, None),
    "claire": (Role.EMPLOYEE, "alpha", "claire", None),
    "bravo_admin": (Role.CLIENT_ADMIN, "bravo", None, None),
    "bruno": (Role.EMPLOYEE, "bravo", "bruno", None),
}
SCRIPT = """
name: Cabinet Alpha
greetings:
  fr:
    office_hours: "{{ account.answer_name }}, secrétariat de {{ person.name }}."
  en:
    office_hours: "{{ account.answer_name }}, {{ person.name }}'s office."
steps:
  - {id: nom, ask: "Qui est à l'appareil ?"}
  - {id: noter, action: take_message}
"""
MESSAGE = NewMessage(
    person="claire",
    urgency=Level.URGENT,
    caller_number="+33611111111",
    caller_name="Maître Dubois",
    fields=(("objet", "Objet", "Audience demain 9 h"),),
    agent="alice",
)
# a secret of alpha's that must never show to bravo's users
SECRET_VIP = "Maître Secretvip"


@dataclass
class World:
    app: FastAPI
    runtime: Runtime
    clock: FixedClock

    message: str  # the uid of a message taken for Claire
    signed_in: dict[str, TestClient] = field(default_factory=dict)

    def browser(self, user: str | None = None) -> TestClient:
        """A browser, signed in as ``user`` through the sign-in page (once per user: argon2 is
        slow on purpose); no user: a new browser, signed out."""
        if user in self.signed_in:
            return self.signed_in[user]
        client = TestClient(self.app, raise_server_exceptions=False, follow_redirects=False)
        if user is not None:
            answer = client.post("/sign-in", data={"name": user, "password": PASSWORD})
            assert answer.status_code == 303, answer.text
            self.signed_in[user] = client
        return client


def status_of(page: str) -> str:
    """The "right now" line of a person's page, without its markup."""
    line = page.split('data-testid="status">', 1)[1].split("</p>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", line)).split())


def form_version(page: str, marker: str) -> str:
    """The version a page's form carries (the first after ``marker`` in the page)."""
    rest = page.split(marker, 1)[1]
    return rest.split('name="version" value="', 1)[1].split('"', 1)[0]


def build_world(engine: Engine) -> World:
    with transaction(session_factory(engine)) as session:
        load_directory(session, DIRECTORY, source="test", now=NOW)
        for name, (role, account, person, agent) in USERS.items():
            users.add_user(
                session,
                name,
                role,
                account=account,
                person=person,
                agent=agent,
                now=NOW,
            )
        # argon2 is slow on purpose: one hash made once serves every user of every world
        session.execute(update(UserRow).values(password_hash=HASH))
        set_caller_list(
            session, "alpha", "vip", [("+33699887766", SECRET_VIP)], name="VIP", now=NOW
        )
        save_script(session, "alpha", Owner("account"), SCRIPT, now=NOW)
        record = CallRecord("+33611111111", "+33140000001", started_at=NOW, person="claire")
        record_call(session, "alpha", record)
        taken = take_message(session, "alpha", MESSAGE, now=NOW)
    clock = FixedClock(NOW)
    runtime = Runtime(
        engine, ApiSettings(cookie_secure=False, login_attempts_per_minute=1000), clock=clock
    )
    return World(create_app(runtime), runtime, clock, taken.uid)
