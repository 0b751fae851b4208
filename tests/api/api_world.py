"""A two-tenant world for the API tests: accounts A ("alpha") and B ("bravo"), one user of each
role, and a client for each user (a real ASGI app on a real database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.core.delivery import Level
from accueil.services import users
from accueil.services.calls import CallRecord, record_call
from accueil.services.messages import NewMessage, take_message
from accueil.services.onboarding import load_directory
from accueil.store.db import session_factory, transaction

DIRECTORY: dict[str, Any] = {
    "accounts": [
        {
            "key": "alpha",
            "name": "Cabinet Alpha",
            "answer_name": "Cabinet Alpha, bonjour",
            "business_hours": "mon-fri 09:00-18:00",
        },
        {"key": "bravo", "name": "Bravo Plomberie", "business_hours": "mon-fri 08:00-17:00"},
    ],
    "groups": [
        {"account": "alpha", "key": "associes", "name": "Associés"},
        {"account": "bravo", "key": "atelier", "name": "Atelier"},
    ],
    "people": [
        {
            "account": "alpha",
            "key": "claire",
            "first_name": "Claire",
            "last_name": "Fontaine",
            "group": "associes",
            "mobile": "06 12 34 56 78",
        },
        {"account": "alpha", "key": "paul", "first_name": "Paul", "last_name": "Durand"},
        {
            "account": "bravo",
            "key": "bruno",
            "first_name": "Bruno",
            "last_name": "Secret",
            "group": "atelier",
        },
    ],
    "numbers": [
        {"number": "01 40 00 00 00", "account": "alpha"},
        {"number": "01 40 00 00 01", "account": "alpha", "person": "claire"},
        {"number": "01 50 00 00 00", "account": "bravo", "person": "bruno"},
    ],
    "agents": [{"key": "alice", "name": "Alice", "site": "lyon", "trainings": {"alpha": 2}}],
}

# user name -> (role, account, person, agent)
USERS: dict[str, tuple[Role, str | None, str | None, str | None]] = {
    "root": (Role.OPERATOR_ADMIN, None, None, None),
    "sup": (Role.SUPERVISOR, None, None, None),
    "agent": (Role.AGENT, None, None, "alice"),
    "alpha_admin": (Role.CLIENT_ADMIN, "alpha", None, None),
    "claire": (Role.EMPLOYEE, "alpha", "claire", None),
    "bravo_admin": (Role.CLIENT_ADMIN, "bravo", None, None),
    "bruno": (Role.EMPLOYEE, "bravo", "bruno", None),
}
PASSWORD = "correct horse battery"
# one answered call for each account: (account, person, caller, dialled)
CALLS = [
    ("alpha", "claire", "+33611111111", "+33140000001"),
    ("bravo", "bruno", "+33622222222", "+33150000000"),
]
# the API runs on the wall clock: users and tokens are made "now" too
NOW = datetime.now(UTC)


@dataclass
class World:
    app: Any
    runtime: Runtime
    tokens: dict[str, str]

    def client(self, user: str | None = None) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        if user is not None:
            client.headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return client


def build_world(engine: Engine, settings: ApiSettings | None = None) -> World:
    with transaction(session_factory(engine)) as session:
        load_directory(session, DIRECTORY, source="test", now=NOW)
        tokens = {}
        for name, (role, account, person, agent) in USERS.items():
            users.add_user(
                session,
                name,
                role,
                account=account,
                person=person,
                agent=agent,
                # argon2 is slow on purpose: one user with a password is enough for the tests
                password=PASSWORD if name == "claire" else None,
                now=NOW,
            )
            tokens[name] = users.create_token(session, name, "test", now=NOW).secret
        for account, person, caller, dialled in CALLS:
            record = CallRecord(caller, dialled, started_at=NOW, person=person, agent="alice")
            record_call(session, account, record)
            # a message for each (bravo's caller named with a word the leak checks look for)
            name = "Secret client" if account == "bravo" else "Client"
            new = NewMessage(person, Level.URGENT, caller_number=caller, caller_name=name)
            take_message(session, account, new, now=NOW)
    runtime = Runtime(engine, settings or ApiSettings())
    return World(create_app(runtime), runtime, tokens)
