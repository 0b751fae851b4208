"""Privacy (GDPR): retention per account, erasure of one caller's data, one person's export.

- **Retention**: an account's delivery preferences may say ``retention_days``; ``purge`` (run
  by a scheduled job: ``accueil messages purge``) deletes that account's messages (with their
  history, deliveries and corrections) and call records older than that.
- **Erasure**: ``erase_caller`` deletes every message from a caller's number and every call
  record of it, in one account. The outbox carries no caller numbers (see ``events``) and the
  logs mask numbers and names (``accueil.logs``), so nothing else holds them.
- **Export**: ``export_person`` gives one person's messages with their history and their
  delivery preferences, as JSON-ready data.

Every function takes the account first (``purge`` serves them all, each by its own setting)
and ``now`` from the caller; each emits its event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from accueil.core.callers import normalise_caller
from accueil.core.delivery import Preferences
from accueil.errors import InvalidInput, says
from accueil.services.availability import person_row
from accueil.services.delivery_preferences import get_preferences
from accueil.services.directory import account_row
from accueil.services.events import CallerErased, DataPurged
from accueil.services.messages import history, list_messages
from accueil.services.outbox import emit
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow
from accueil.store.tables_messages import DeliveryPreferencesRow, MessageRow
from accueil.store.tables_scripts import CallRecordRow


@operator_level
def purge(session: Session, *, now: datetime) -> dict[str, tuple[int, int]]:
    """Delete what each account keeps no longer; (messages, call records) deleted, by account."""
    done: dict[str, tuple[int, int]] = {}
    rows = session.execute(
        select(AccountRow, DeliveryPreferencesRow.document)
        .join(DeliveryPreferencesRow, DeliveryPreferencesRow.account_id == AccountRow.id)
        .where(DeliveryPreferencesRow.person_key == "")
    )
    for account, document in rows.all():
        days = Preferences.model_validate(document).retention_days
        if not days:
            continue
        before = now - timedelta(days=days)
        messages = _count_delete(
            session,
            MessageRow,
            (MessageRow.account_id == account.id)
            & (MessageRow.first_id.is_(None))
            & (MessageRow.taken_at < before),
        )
        calls = _count_delete(
            session,
            CallRecordRow,
            (CallRecordRow.account_id == account.id) & (CallRecordRow.started_at < before),
        )
        if messages or calls:
            done[account.key] = (messages, calls)
            emit(
                session,
                DataPurged(
                    account=account.key, at=now, before=before, messages=messages, calls=calls
                ),
            )
    return done


def erase_caller(
    session: Session, account: str, number: str, *, now: datetime, by: str
) -> tuple[int, int]:
    """Delete a caller's messages and call records in the account; (messages, call records)."""
    acc = account_row(session, account)
    caller = normalise_caller(number, acc.country) if number.strip() else None
    if not caller:
        raise InvalidInput(
            says(
                "%(number)r is not a phone number: give the caller's number, e.g. +33 "
                "6 12 34 56 78",
                number=number,
            ),
            field="number",
        )
    messages = _count_delete(
        session,
        MessageRow,
        (MessageRow.account_id == acc.id) & (MessageRow.caller_number == caller),
    )
    calls = _count_delete(
        session,
        CallRecordRow,
        (CallRecordRow.account_id == acc.id) & (CallRecordRow.caller == caller),
    )
    emit(session, CallerErased(account=acc.key, at=now, by=by, messages=messages, calls=calls))
    return messages, calls


def export_person(session: Session, account: str, person: str) -> dict[str, Any]:
    """One person's messages (each with its history) and delivery preferences."""
    acc = account_row(session, account)
    person_row(session, acc, person)
    found = list_messages(session, account, person=person, limit=1000)
    return {
        "account": acc.key,
        "person": person,
        "preferences": get_preferences(session, account, person).model_dump(
            mode="json", exclude_none=True
        ),
        "messages": [
            {
                "id": m.uid,
                "version": m.version,
                "first": m.first or None,
                "urgency": m.urgency,
                "caller": {"number": m.caller_number, "name": m.caller_name},
                "fields": [list(f) for f in m.fields],
                "note": m.note,
                "taken_at": m.taken_at.isoformat(),
                "status": m.status,
                "history": [
                    {
                        "kind": h.kind,
                        "at": h.at.isoformat(),
                        "channel": h.channel,
                        "actor": h.actor,
                        "detail": h.detail,
                    }
                    for h in history(session, account, m.uid)
                ],
            }
            for m in found
        ],
    }


def _count_delete(session: Session, table: Any, where: Any) -> int:
    count = session.scalar(select(func.count()).select_from(table).where(where)) or 0
    if count:
        # corrections go with their first (foreign key, on delete cascade), history and
        # deliveries with their message
        session.execute(
            delete(table).where(where), execution_options={"synchronize_session": False}
        )
    return int(count)
