"""An agent's outcome saved once per call: the call's record and the message taken on it.

The desk may send the same outcome again when its first sending got no answer in time (the
database slow or away): the first save may still be in flight, and commit later. The call is
the key: its record is unique for the account and ``call_id`` (migration 0016), so a second
save waits on that index for the first and, once the first commits, writes neither record nor
message and answers the first's (``tests/switchboard/test_outcome_once.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from accueil.services.calls import CallRecord, record_call_once
from accueil.services.messages import NewMessage, message_of_call, take_message


@dataclass(frozen=True)
class SavedOutcome:
    record: int
    message: str  # the message's uid ("" when none was taken)
    again: bool  # saved already by an earlier sending: nothing written now


def save_outcome(
    session: Session,
    account: str,
    record: CallRecord,
    message: NewMessage | None,
    *,
    now: datetime,
) -> SavedOutcome:
    """Write the call's record and, when the outcome took one, its message (stored with its
    deliveries queued), in the caller's transaction; written once per call, whichever
    sending commits first."""
    recorded = record_call_once(session, account, record)
    if message is None:
        return SavedOutcome(recorded.id, "", again=not recorded.written)
    if recorded.written or not record.call_id:
        return SavedOutcome(
            recorded.id, take_message(session, account, message, now=now).uid, False
        )
    return SavedOutcome(recorded.id, message_of_call(session, account, record.call_id), True)
