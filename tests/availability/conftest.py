"""Fixtures for availability tests: a Paris account and one of its people."""

from __future__ import annotations

import pytest

from accueil.core.directory import Account, Device, DeviceKind, Person
from accueil.core.hours import WeeklyHours


@pytest.fixture
def account() -> Account:
    return Account(
        key="martin",
        name="Cabinet Martin",
        answer_name="Cabinet Martin, bonjour",
        timezone="Europe/Paris",
        country="FR",
        business_hours=WeeklyHours.parse("mon-fri 09:00-12:30,14:00-18:00"),
    )


@pytest.fixture
def claire() -> Person:
    return Person(
        account="martin",
        key="claire",
        first_name="Claire",
        last_name="Martin",
        devices=(Device("mobile", DeviceKind.MOBILE, "+33612345678"),),
        working_hours=WeeklyHours.parse("mon-fri 08:30-19:00"),
    )
