"""Rows to core dataclasses and back: the store's only knowledge of the core model."""

from __future__ import annotations

from typing import Any

from accueil.core.directory import (
    Account,
    Agent,
    Device,
    DeviceKind,
    Group,
    Person,
    Tier,
    Training,
)
from accueil.core.hours import WeeklyHours
from accueil.store.tables import AccountRow, AgentRow, GroupRow, PersonRow


def account_from_row(row: AccountRow) -> Account:
    return Account(
        key=row.key,
        name=row.name,
        answer_name=row.answer_name,
        timezone=row.timezone,
        country=row.country,
        subdivision=row.subdivision,
        languages=tuple(row.languages),
        business_hours=WeeklyHours.parse(row.business_hours),
        tier=Tier(row.tier),
        target_seconds=row.target_seconds,
        notes=row.notes,
        colour=row.colour,
        id=row.id,
    )


def group_from_row(row: GroupRow, account_key: str) -> Group:
    return Group(account=account_key, key=row.key, name=row.name, id=row.id)


def devices_from_json(items: list[Any]) -> tuple[Device, ...]:
    return tuple(
        Device(d["key"], DeviceKind(d["kind"]), d["address"], d.get("raw", "")) for d in items
    )


def devices_to_json(devices: tuple[Device, ...]) -> list[dict[str, str]]:
    """Devices as stored: ``raw`` only where a mobile's number was written another way."""
    return [
        {"key": d.key, "kind": d.kind.value, "address": d.address}
        | ({"raw": d.raw} if d.raw else {})
        for d in devices
    ]


def person_from_row(row: PersonRow, account_key: str) -> Person:
    return Person(
        account=account_key,
        key=row.key,
        first_name=row.first_name,
        last_name=row.last_name,
        pronunciation=row.pronunciation,
        title=row.title,
        group=row.group_key,
        languages=tuple(row.languages),
        email=row.email,
        devices=devices_from_json(row.devices),
        working_hours=WeeklyHours.parse(row.working_hours) if row.working_hours else None,
        active=row.active,
        id=row.id,
    )


def agent_from_row(row: AgentRow, trainings: list[tuple[str, int]]) -> Agent:
    return Agent(
        key=row.key,
        name=row.name,
        site=row.site,
        languages=tuple(row.languages),
        trainings=tuple(Training(account=a, level=lvl) for a, lvl in trainings),
        sip_uri=row.sip_uri,
        active=row.active,
        id=row.id,
    )
