"""Messages: an account's (client admins and the operator's staff), a person's own (read, which
is recorded, and acknowledge), and the SMS gateway's signed receipts and replies."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import WebhookVerificationError

from accueil.api import auth
from accueil.api.auth import Caller, authenticated, runtime
from accueil.api.conventions import (
    BigRowId,
    Page,
    PageQuery,
    decode_cursor,
    encode_cursor,
    paginate,
    scoped,
)
from accueil.api.routing import OneHop
from accueil.api.schemas import Out
from accueil.core.access import Action, Scope
from accueil.errors import AccueilError, InvalidInput, NotFound, says
from accueil.services import deliveries, messages, sms_inbound
from accueil.settings import get_settings

router = APIRouter(tags=["messages"], route_class=OneHop)


class FieldOut(Out):
    field: str
    label: str
    value: str


class MessageOut(Out):
    id: str
    version: int
    first: str | None
    person: str
    urgency: str
    status: str
    caller_number: str
    caller_name: str
    fields: list[FieldOut]
    note: str
    agent: str
    call_id: str
    language: str
    taken_at: datetime

    @classmethod
    def of(cls, m: messages.Message) -> MessageOut:
        return cls(
            id=m.uid,
            version=m.version,
            first=m.first or None,
            person=m.person,
            urgency=m.urgency,
            status=m.status,
            caller_number=m.caller_number,
            caller_name=m.caller_name,
            fields=[FieldOut(field=f, label=label, value=v) for f, label, v in m.fields],
            note=m.note,
            agent=m.agent,
            call_id=m.call_id,
            language=m.language,
            taken_at=m.taken_at,
        )


class Acknowledged(Out):
    id: str
    acknowledged: bool  # False: it already was


class InboundResult(Out):
    result: str


def _list(
    caller: Caller, account: str, person: str | None, status: str | None, page: PageQuery
) -> Page[MessageOut]:
    before = decode_cursor(page.cursor) if page.cursor is not None else None
    with caller.unit(personal=True) as session:  # messages are personal data: reads audited
        try:
            found = messages.list_messages(
                session, account, person=person, status=status, limit=page.limit + 1, before=before
            )
        except NotFound:  # the cursor's message is not in this account (any more)
            raise InvalidInput(
                says("the cursor is not one this API gave"), field="query.cursor"
            ) from None
    chunk = found[: page.limit]
    more = len(found) > page.limit
    cursor = encode_cursor(chunk[-1].uid) if more else None
    return Page[MessageOut](items=[MessageOut.of(m) for m in chunk], next_cursor=cursor)


@router.get("/accounts/{account}/messages", openapi_extra=scoped(Scope.ACCOUNT))
def list_messages(
    account: str,
    page: PageQuery = Depends(),
    person: str | None = Query(None, max_length=64, description="only this person's"),
    status: str | None = Query(None, max_length=16, description="only at this status"),
    caller: Caller = Depends(authenticated),
) -> Page[MessageOut]:
    """The account's messages, newest first, with where each stands."""
    auth.account(caller, account)
    return _list(caller, account, person, status, page)


@router.get("/accounts/{account}/people/{person}/messages", openapi_extra=scoped(Scope.PERSON))
def list_person_messages(
    account: str,
    person: str,
    page: PageQuery = Depends(),
    status: str | None = Query(None, max_length=16, description="only at this status"),
    caller: Caller = Depends(authenticated),
) -> Page[MessageOut]:
    """One person's messages, newest first (an employee: their own)."""
    auth.person(caller, account, person)
    return _list(caller, account, person, status, page)


def _theirs(session: Session, account: str, person: str, message: str) -> None:
    if messages.get_message(session, account, message).person != person:
        raise NotFound(
            says("no message %(message)r for %(person)r", message=message, person=person),
            field="message",
        )


@router.get(
    "/accounts/{account}/people/{person}/messages/{message}", openapi_extra=scoped(Scope.PERSON)
)
def get_message(
    account: str, person: str, message: str, caller: Caller = Depends(authenticated)
) -> MessageOut:
    """One message, as it stands (reading it on a page: POST …/read, which is recorded)."""
    auth.person(caller, account, person)
    with caller.unit(personal=True) as session:
        _theirs(session, account, person, message)
        return MessageOut.of(messages.get_message(session, account, message))


@router.post(
    "/accounts/{account}/people/{person}/messages/{message}/read",
    openapi_extra=scoped(Scope.PERSON),
)
def read_message(
    account: str, person: str, message: str, caller: Caller = Depends(authenticated)
) -> MessageOut:
    """The person read the message: who and when are added to its history (the read audit)."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        _theirs(session, account, person, message)
        found = messages.read_message(
            session, account, message, reader=caller.principal.user, now=caller.runtime.now()
        )
    return MessageOut.of(found)


@router.post(
    "/accounts/{account}/people/{person}/messages/{message}/acknowledge",
    openapi_extra=scoped(Scope.PERSON),
)
def acknowledge(
    account: str, person: str, message: str, caller: Caller = Depends(authenticated)
) -> Acknowledged:
    """Take the message on: its escalation stops."""
    auth.person(caller, account, person, Action.WRITE)
    with caller.unit() as session:
        _theirs(session, account, person, message)
        done = messages.acknowledge(
            session, account, message, by=caller.principal.user, now=caller.runtime.now(),
            via="api",
        )  # fmt: skip
    return Acknowledged(id=message, acknowledged=done)


class DeadLetterOut(Out):
    id: int  # the delivery's, for "retry now"
    message: str
    channel: str
    address: str
    attempts: int
    last_error: str


class Requeued(Out):
    id: int
    state: str


@router.get("/accounts/{account}/deliveries/dead", openapi_extra=scoped(Scope.ACCOUNT))
def dead_letters(
    account: str, page: PageQuery = Depends(), caller: Caller = Depends(authenticated)
) -> Page[DeadLetterOut]:
    """The account's deliveries that gave up (dead letters), newest first, with why: for a
    supervisor to look at and retry."""
    auth.account(caller, account)
    with caller.unit(personal=True) as session:
        found = deliveries.dead_letters(session, account)
    shown = [
        DeadLetterOut(
            id=d.id,
            message=d.uid,
            channel=d.channel,
            address=d.address,
            attempts=d.attempts,
            last_error=d.last_error,
        )
        for d in found
    ]
    # newest (highest id) first: paginate orders by its key, ascending
    return paginate(shown, lambda d: f"{10**12 - d.id:012d}", page)


@router.post("/accounts/{account}/deliveries/{delivery}/retry", openapi_extra=scoped(Scope.ACCOUNT))
def retry_now(
    account: str, delivery: BigRowId, caller: Caller = Depends(authenticated)
) -> Requeued:
    """Retry now: a dead delivery goes back in the queue, due at once (409 if it is not dead)."""
    auth.account(caller, account, Action.WRITE)
    with caller.unit() as session:
        deliveries.retry_now(
            session, account, delivery, now=caller.runtime.now(), by=caller.principal.user
        )
    return Requeued(id=delivery, state="queued")


class BadSignature(AccueilError):
    code = "bad_signature"
    status = 401


@router.post("/sms/{gateway}", openapi_extra=scoped(Scope.PUBLIC))
async def sms_inbound_endpoint(gateway: str, request: Request) -> InboundResult:
    """The SMS gateway's delivery receipts and replies, signed (Standard Webhooks for the
    generic gateway, X-Twilio-Signature for a Twilio-compatible one); replays are refused."""
    from accueil.dispatch.sms import twilio_signature
    from accueil.dispatch.webhook import verify

    settings, rt = get_settings(), runtime(request)
    body, now = await request.body(), rt.now()
    if gateway == "generic":
        if not settings.sms_inbound_secret:
            raise BadSignature(
                says("no ACCUEIL_SMS_INBOUND_SECRET is set: inbound SMS are refused")
            )
        try:
            event_id = verify(settings.sms_inbound_secret, request.headers, body, now=now)
        except WebhookVerificationError as exc:
            raise BadSignature(says("refused: %(exc)s", exc=exc)) from None
        data = _json(body)
    elif gateway == "twilio":
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        url = settings.sms_inbound_url or str(request.url)
        expected = twilio_signature(settings.sms_token, url, form) if settings.sms_token else ""
        given = request.headers.get("x-twilio-signature", "")
        if not expected or not _same(expected, given):
            raise BadSignature(says("refused: the X-Twilio-Signature does not match"))
        event_id = f"{form.get('MessageSid', '')}:{form.get('MessageStatus', 'in')}"
        data = _twilio(form)
    else:
        raise NotFound(
            says("no SMS gateway %(gateway)r: generic or twilio", gateway=gateway), field="gateway"
        )
    with rt.unit() as session:
        if sms_inbound.seen_before(session, gateway, event_id, now=now):
            return InboundResult(result=f"already handled: {event_id}")
        if data.get("type") == "receipt":
            said = sms_inbound.receipt(
                session, data.get("id", ""), data.get("status", ""), now=now,
                error=data.get("error", ""),
            )  # fmt: skip
        else:
            said = sms_inbound.reply(session, data.get("from", ""), data.get("text", ""), now=now)
    return InboundResult(result=said)


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def _json(body: bytes) -> dict[str, str]:
    import json

    try:
        data = json.loads(body)
    except ValueError:
        raise InvalidInput(says("the body is not JSON"), field="body") from None
    if not isinstance(data, dict) or data.get("type") not in ("receipt", "reply"):
        raise InvalidInput(says("expected {type: receipt|reply, …}"), field="body.type")
    return {k: str(v) for k, v in data.items() if v is not None}


def _twilio(form: dict[str, str]) -> dict[str, str]:
    inbound = "Body" in form and form.get("MessageStatus", "received") == "received"
    if not inbound and form.get("MessageStatus") and form.get("MessageSid"):
        return {
            "type": "receipt",
            "id": form["MessageSid"],
            "status": form["MessageStatus"],
            "error": form.get("ErrorCode", ""),
        }
    return {"type": "reply", "from": form.get("From", ""), "text": form.get("Body", "")}
