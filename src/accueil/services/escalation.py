"""Urgent messages that nobody owns: the next one in the chain is told, step by step.

Taking an urgent message whose preferences name ``escalate_to`` queues an ``escalate``
delivery due ``escalate_after_minutes`` later. When the dispatcher claims it (on whatever clock
drives it), ``escalate`` looks: acknowledged meanwhile → nothing more; else the target is sent
the message (the on-call rota's numbers at that local time, or a person's mobile and email),
``escalated`` is added to the history, and the next target's step is queued the same way.
After the last target, one more step (address ``expire``) waits as long again: if nobody has
acknowledged by then, the message is ``expired`` — the chain has ended with nobody owning it,
which its status and the ``message.delivery`` event tell supervisors. Acknowledging (from the
page, the API or an SMS reply "1") cancels what is still queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.delivery import Level
from accueil.core.directory import DeviceKind
from accueil.core.localtime import to_local, zone
from accueil.services.callers import rotas_of
from accueil.services.delivery_preferences import preferences_of
from accueil.services.messages import add_event, queue
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_messages import DeliveryRow, MessageEventRow, MessageRow

EXPIRE = "expire"  # the address of the step after the last target


@operator_level
def escalate(session: Session, delivery: int, *, now: datetime) -> str:
    """Carry out one escalation step; returns what happened, in words (for the log)."""
    row = session.get(DeliveryRow, delivery)
    assert row is not None
    message = session.get(MessageRow, row.message_id)
    acc = session.get(AccountRow, row.account_id)
    assert message is not None and acc is not None
    row.lease_until, row.sent_at = None, now
    if _acknowledged(session, message.id):
        row.state = "cancelled"
        return "already acknowledged"
    if row.address == EXPIRE:
        row.state = "done"
        detail = "nobody acknowledged it: the escalation chain has ended"
        add_event(session, message, "expired", now, detail=detail)
        return f"expired: {detail}"
    kind, _, key = row.address.partition(":")
    addresses = _addresses(session, acc, kind, key, now)
    for channel, address in addresses:
        queue(session, message, channel, address, now, now=now, step=row.step)
    row.state = "done"
    told = ", ".join(a for _, a in addresses) or "nobody reachable"
    add_event(session, message, "escalated", now, channel="sms", detail=f"{row.address}: {told}")
    _queue_next(session, acc, message, row, now)
    return f"escalated to {row.address}: {told}"


def _queue_next(
    session: Session, acc: AccountRow, message: MessageRow, row: DeliveryRow, now: datetime
) -> None:
    policy = preferences_of(session, acc, message.person_key).policy(Level(message.urgency))
    if policy is None or not policy.escalate_after_minutes:
        return
    chain = policy.escalate_to
    due = now + timedelta(minutes=policy.escalate_after_minutes)
    if row.step < len(chain):
        queue(session, message, "escalate", chain[row.step], due, now=now, step=row.step + 1)
    elif row.step == len(chain):  # the last one was told: give them as long, then expire
        queue(session, message, "escalate", EXPIRE, due, now=now, step=row.step + 1)


def _acknowledged(session: Session, message: int) -> bool:
    found = session.scalar(
        select(MessageEventRow.id).where(
            MessageEventRow.message_id == message, MessageEventRow.kind == "acknowledged"
        )
    )
    return found is not None


def _addresses(
    session: Session, acc: AccountRow, kind: str, key: str, now: datetime
) -> list[tuple[str, str]]:
    if kind == "rota":
        rota = rotas_of(session, acc.id).get(key)
        on_call = rota.on_call(to_local(now, zone(acc.timezone))) if rota else ()
        return [("sms", number) for number in on_call]
    person = session.scalar(
        select(PersonRow).where(PersonRow.account_id == acc.id, PersonRow.key == key)
    )
    if person is None:
        return []
    found = [
        ("sms", str(d["address"]))
        for d in person.devices or []
        if d.get("kind") == DeviceKind.MOBILE.value
    ][:1]
    if person.email:
        found.append(("email", person.email))
    return found
