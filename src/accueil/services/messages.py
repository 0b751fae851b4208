"""Messages: take one (stored before anyone is told it is saved), correct, read, acknowledge, list.

Every function takes the account key first and filters by it. Taking a message writes, in the
caller's transaction: the message (never edited afterwards), its "taken" and "queued" history,
one delivery per channel the person's preferences name (and the first escalation step of an
urgent one), and the ``message.taken`` outbox event. The dispatcher (``accueil.dispatch``)
sends the deliveries; what happens is appended to the message's history.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session

from accueil.core.callers import normalise_caller
from accueil.core.delivery import Channel, Level, next_digest, plan
from accueil.core.directory import DeviceKind
from accueil.core.localtime import require_aware, zone
from accueil.core.scripts.runner import ScriptOutcome
from accueil.errors import InvalidInput, NotFound, says
from accueil.services.availability import person_row
from accueil.services.delivery_preferences import preferences_of
from accueil.services.directory import account_row
from accueil.services.events import MessageAcknowledged, MessageDelivery, MessageRead, MessageTaken
from accueil.services.outbox import emit
from accueil.services.tenancy import on_scoped_input
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_messages import DeliveryRow, MessageEventRow, MessageRow

KINDS = (
    "taken",
    "queued",
    "sent",
    "delivered",
    "read",
    "acknowledged",
    "escalated",
    "expired",
    "failed",
)
# a message's status is the furthest kind in its history, in this order
_ORDER = ("taken", "queued", "failed", "sent", "delivered", "escalated", "expired", "read")
_RANK = {k: i for i, k in enumerate((*_ORDER, "acknowledged"))}
MAX_FIELDS = 100


@dataclass(frozen=True)
class NewMessage:
    """What the agent took down (the script's outcome, or typed by hand)."""

    person: str
    urgency: Level = Level.NORMAL
    caller_number: str = ""
    caller_name: str = ""
    fields: tuple[tuple[str, str, str], ...] = ()  # (field id, label, value as read)
    agent: str = ""
    call_id: str = ""
    note: str = ""

    @classmethod
    def from_outcome(
        cls, outcome: ScriptOutcome, *, agent: str = "", call_id: str = ""
    ) -> NewMessage:
        """The message a script run ended with (its person, caller, urgency and answers)."""
        taken = outcome.message
        return cls(
            person=outcome.person or taken.for_person,
            urgency=Level(taken.urgency.value),
            caller_number=taken.caller_number,
            caller_name=taken.caller_name,
            fields=taken.fields,
            agent=agent,
            call_id=call_id,
            note=outcome.note,
        )


@dataclass(frozen=True)
class Message:
    """A stored message, with where it stands (``status``: the furthest step of its history)."""

    uid: str
    version: int
    first: str  # the original's uid for a correction, else ""
    person: str
    urgency: str
    caller_number: str
    caller_name: str
    fields: tuple[tuple[str, str, str], ...]
    agent: str
    call_id: str
    note: str
    language: str
    taken_at: datetime
    status: str

    @property
    def message_id(self) -> str:
        """The RFC 5322 Message-ID every email of this message carries."""
        return message_id(self.uid)


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    at: datetime
    channel: str = ""
    actor: str = ""
    detail: str = ""


def message_id(uid: str) -> str:
    return f"<{uid}@accueil>"


def take_message(session: Session, account: str, new: NewMessage, *, now: datetime) -> Message:
    """Store a message for a person and queue its deliveries, in the caller's transaction."""
    acc = account_row(session, account)
    return _store(session, acc, new, now=now, first=None)


def correct_message(
    session: Session, account: str, uid: str, new: NewMessage, *, now: datetime
) -> Message:
    """A correction: a new version linked to the first, delivered again. The original stays."""
    acc = account_row(session, account)
    original = _row(session, acc, uid)
    first = original if original.first_id is None else session.get(MessageRow, original.first_id)
    assert first is not None
    return _store(session, acc, new, now=now, first=first)


def _store(
    session: Session, acc: AccountRow, new: NewMessage, *, now: datetime, first: MessageRow | None
) -> Message:
    require_aware(now, "the time the message was taken")
    _check(new)
    person = person_row(session, acc, new.person)
    caller = (normalise_caller(new.caller_number, acc.country) or "") if new.caller_number else ""
    version = 1
    if first is not None:
        latest = session.scalar(
            select(MessageRow.version)
            .where((MessageRow.first_id == first.id) | (MessageRow.id == first.id))
            .order_by(MessageRow.version.desc())
            .limit(1)
        )
        version = (latest or 1) + 1
    prefs = preferences_of(session, acc, person.key)
    tz = zone(acc.timezone)
    steps = plan(prefs, new.urgency, now, tz)
    row = MessageRow(
        account_id=acc.id,
        uid=uuid.uuid4().hex,
        version=version,
        first_id=first.id if first is not None else None,
        person_id=person.id,
        person_key=person.key,
        urgency=new.urgency.value,
        caller_number=caller,
        caller_name=new.caller_name.strip(),
        fields=[list(f) for f in new.fields],
        agent_key=new.agent,
        call_id=new.call_id,
        note=new.note,
        language=_language(person, acc),
        reply_code=f"{secrets.randbelow(9000) + 1000}" if steps.reply_code else "",
        taken_at=now,
    )
    session.add(row)
    session.flush()
    add_event(session, row, "taken", now, actor=new.agent)
    for channel in steps.channels:
        address = _address(person, channel, prefs.webhook_url)
        if not address:
            add_event(
                session, row, "failed", now, channel=channel.value, detail=_no_address(channel)
            )
            continue
        due = steps.release_at
        if channel is Channel.DIGEST:
            due = max(due, next_digest(now, tz, prefs.digest_at or "18:00"))
        queue(session, row, channel.value, address, due, now=now)
    if steps.escalate_after is not None:
        due = now + steps.escalate_after
        queue(session, row, "escalate", steps.escalate_to[0], due, now=now, step=1)
    session.flush()
    emit(
        session,
        MessageTaken(
            account=acc.key,
            at=now,
            uid=row.uid,
            person=person.key,
            urgency=row.urgency,
            version=version,
            first=first.uid if first is not None else "",
        ),
    )
    return _view(row, "queued" if steps.channels else "taken", first.uid if first else "")


@on_scoped_input
def queue(
    session: Session,
    message: MessageRow,
    channel: str,
    address: str,
    due: datetime,
    *,
    now: datetime,
    step: int = 0,
) -> DeliveryRow:
    """Add one delivery to do (and its "queued" history line)."""
    delivery = DeliveryRow(
        account_id=message.account_id,
        message_id=message.id,
        channel=channel,
        address=address,
        step=step,
        round=0,
        state="queued",
        attempts=0,
        next_attempt_at=due,
        worker="",
        provider_id="",
        last_error="",
        created_at=now,
    )
    session.add(delivery)
    if channel != "escalate":
        detail = "" if due <= now else f"held until {due.isoformat()}"
        add_event(session, message, "queued", now, channel=channel, detail=detail)
    return delivery


@on_scoped_input
def add_event(
    session: Session,
    message: MessageRow,
    kind: str,
    at: datetime,
    *,
    channel: str = "",
    actor: str = "",
    detail: str = "",
    account_key: str = "",
) -> None:
    """Append to the message's history (and tell subscribers of a delivery step).

    ``account_key``: the message's account's, when the caller has it (saves a query each).
    """
    session.add(
        MessageEventRow(
            account_id=message.account_id,
            message_id=message.id,
            kind=kind,
            at=at,
            channel=channel,
            actor=actor,
            detail=detail,
        )
    )
    if kind in ("sent", "delivered", "failed", "escalated", "expired"):
        if not account_key:
            account = session.get(AccountRow, message.account_id)
            assert account is not None
            account_key = account.key
        emit(
            session,
            MessageDelivery(
                account=account_key,
                at=at,
                uid=message.uid,
                kind=kind,
                channel=channel,
                detail=detail,
                person=message.person_key,
            ),
        )


def read_message(
    session: Session, account: str, uid: str, *, reader: str, now: datetime
) -> Message:
    """The message, with who read it and when added to its history (the read audit)."""
    acc = account_row(session, account)
    row = _row(session, acc, uid)
    add_event(session, row, "read", now, actor=reader)
    emit(
        session,
        MessageRead(account=acc.key, at=now, uid=uid, reader=reader, person=row.person_key),
    )
    session.flush()
    return _one(session, acc, row)


def acknowledge(
    session: Session, account: str, uid: str, *, by: str, now: datetime, via: str = "page"
) -> bool:
    """Someone owns the message: escalation stops. False when it was already acknowledged."""
    acc = account_row(session, account)
    row = _row(session, acc, uid)
    return acknowledge_row(session, acc, row, by=by, now=now, via=via)


def acknowledge_row(
    session: Session, acc: AccountRow, row: MessageRow, *, by: str, now: datetime, via: str
) -> bool:
    done = session.scalar(
        select(MessageEventRow.id).where(
            MessageEventRow.message_id == row.id, MessageEventRow.kind == "acknowledged"
        )
    )
    if done is not None:
        return False
    add_event(session, row, "acknowledged", now, actor=by, detail=f"via {via}")
    session.execute(
        update(DeliveryRow)
        .where(
            DeliveryRow.message_id == row.id,
            DeliveryRow.channel == "escalate",
            DeliveryRow.state == "queued",
        )
        .values(state="cancelled")
    )
    emit(
        session,
        MessageAcknowledged(
            account=acc.key, at=now, uid=row.uid, by=by, via=via, person=row.person_key
        ),
    )
    return True


def get_message(session: Session, account: str, uid: str) -> Message:
    """The message without recording a read (for the dispatcher and the history)."""
    acc = account_row(session, account)
    return _one(session, acc, _row(session, acc, uid))


def list_messages(
    session: Session,
    account: str,
    *,
    person: str | None = None,
    status: str | None = None,
    limit: int = 100,
    before: str | None = None,
) -> list[Message]:
    """The account's messages, newest first (one person's when ``person`` is given), at most
    ``limit``; ``before``: the id of a message already shown, to go on after it (messages
    taken meanwhile are newer: they do not shift the pages that follow)."""
    if status is not None and status not in _RANK:
        raise InvalidInput(
            says(
                "%(status)r is not a message status; use one of %(known)s",
                status=status,
                known=", ".join(_RANK),
            ),
            field="query.status",
            status=status,
        )
    acc = account_row(session, account)
    query = (
        select(MessageRow)
        .where(MessageRow.account_id == acc.id)
        .order_by(MessageRow.taken_at.desc(), MessageRow.id.desc())
    )
    if person is not None:
        query = query.where(MessageRow.person_key == person)
    limit = max(1, min(limit, 1001))
    last = _row(session, acc, before) if before is not None else None
    found: list[Message] = []
    while len(found) < limit:  # a status is known once the rows are read: page until enough
        rows = list(session.scalars(_older(query, last).limit(limit)))
        statuses = _statuses(session, [r.id for r in rows])
        firsts = _first_uids(session, rows)
        for r in rows:
            shown = _view(r, statuses.get(r.id, "taken"), firsts.get(r.id, ""))
            if status is None or shown.status == status:
                found.append(shown)
        if len(rows) < limit:
            break
        last = rows[-1]
    return found[:limit]


def _older(query: Select[MessageRow], last: MessageRow | None) -> Select[MessageRow]:
    """``query`` past ``last`` in the order newest first (taken_at, then id)."""
    if last is None:
        return query
    at = MessageRow.taken_at
    return query.where(or_(at < last.taken_at, and_(at == last.taken_at, MessageRow.id < last.id)))


def history(session: Session, account: str, uid: str) -> list[HistoryEntry]:
    """Everything that happened to the message, oldest first."""
    acc = account_row(session, account)
    row = _row(session, acc, uid)
    events = session.scalars(
        select(MessageEventRow)
        .where(MessageEventRow.message_id == row.id)
        .order_by(MessageEventRow.id)
    )
    return [HistoryEntry(e.kind, e.at, e.channel, e.actor, e.detail) for e in events]


def _row(session: Session, acc: AccountRow, uid: str) -> MessageRow:
    row = session.scalar(
        select(MessageRow).where(MessageRow.account_id == acc.id, MessageRow.uid == uid)
    )
    if row is None:
        raise NotFound(
            says("no message %(uid)r in account %(account)r", uid=uid, account=acc.key),
            account=acc.key,
            uid=uid,
        )
    return row


def _one(session: Session, acc: AccountRow, row: MessageRow) -> Message:
    status = _statuses(session, [row.id]).get(row.id, "taken")
    return _view(row, status, _first_uids(session, [row]).get(row.id, ""))


def _statuses(session: Session, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    if not ids:
        return found
    rows = session.execute(
        select(MessageEventRow.message_id, MessageEventRow.kind)
        .where(MessageEventRow.message_id.in_(ids))
        .distinct()
    )
    for message, kind in rows:
        if _RANK.get(kind, -1) > _RANK.get(found.get(message, ""), -1):
            found[message] = kind
    return found


def _first_uids(session: Session, rows: Sequence[MessageRow]) -> dict[int, str]:
    wanted = {r.first_id for r in rows if r.first_id is not None}
    if not wanted:
        return {}
    uids = dict(
        session.execute(select(MessageRow.id, MessageRow.uid).where(MessageRow.id.in_(wanted)))
        .tuples()
        .all()
    )
    return {r.id: uids[r.first_id] for r in rows if r.first_id is not None}


def view_of(row: MessageRow) -> Message:
    """The message of a row, as a sender needs it (its history not read)."""
    return _view(row, "queued", "")


def _view(row: MessageRow, status: str, first: str) -> Message:
    return Message(
        uid=row.uid,
        version=row.version,
        first=first,
        person=row.person_key,
        urgency=row.urgency,
        caller_number=row.caller_number,
        caller_name=row.caller_name,
        fields=tuple((str(a), str(b), str(c)) for a, b, c in row.fields),
        agent=row.agent_key,
        call_id=row.call_id,
        note=row.note,
        language=row.language,
        taken_at=row.taken_at,
        status=status,
    )


def _check(new: NewMessage) -> None:
    if not new.person.strip():
        raise InvalidInput(says("a message is for a person: give the person's key"), field="person")
    if len(new.fields) > MAX_FIELDS:
        raise InvalidInput(
            says(
                "a message holds at most %(most)s fields (got %(length)s)",
                most=MAX_FIELDS,
                length=len(new.fields),
            ),
            field="fields",
        )
    for i, item in enumerate(new.fields):
        if len(item) != 3 or not all(isinstance(v, str) for v in item):
            raise InvalidInput(
                says("fields[%(i)s]: a field is (id, label, value), three texts", i=i),
                field=f"fields[{i}]",
            )
    if len(new.caller_name) > 200:
        raise InvalidInput(says("the caller's name is at most 200 characters"), field="caller_name")


def _language(person: PersonRow, acc: AccountRow) -> str:
    for langs in (person.languages, acc.languages):
        if langs:
            return str(langs[0])[:8]
    return "fr"


def _address(person: PersonRow, channel: Channel, webhook: str | None) -> str:
    if channel in (Channel.EMAIL, Channel.DIGEST):
        return person.email or ""
    if channel is Channel.SMS:
        mobile = next(
            (d for d in person.devices or [] if d.get("kind") == DeviceKind.MOBILE.value), None
        )
        return str(mobile["address"]) if mobile else ""
    return webhook or ""


def _no_address(channel: Channel) -> str:
    return {
        Channel.EMAIL: "the person has no email address",
        Channel.DIGEST: "the person has no email address for the digest",
        Channel.SMS: "the person has no mobile number",
        Channel.WEBHOOK: "the account has no webhook_url in its delivery preferences",
    }[channel]


def message_of_call(session: Session, account: str, call_id: str) -> str:
    """The uid of the message taken on ``call_id`` ("" when none): an agent's outcome sent
    again after no answer in time finds the message its first sending took."""
    acc = account_row(session, account)
    found = session.scalars(
        select(MessageRow.uid)
        .where(MessageRow.account_id == acc.id, MessageRow.call_id == call_id)
        .order_by(MessageRow.id)
    ).first()
    return found or ""
