"""Messages over the API: lists, read (recorded), acknowledge; the SMS gateway's signed
receipts and replies (valid, tampered, replayed, too old, unsigned)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from api_world import World
from fastapi.testclient import TestClient
from sqlalchemy import select
from standardwebhooks import Webhook

from accueil.api.conventions import encode_cursor
from accueil.core.delivery import Level
from accueil.dispatch.sms import twilio_signature
from accueil.services import deliveries
from accueil.services.messages import NewMessage, history, queue, take_message
from accueil.settings import get_settings
from accueil.store.tables_messages import MessageRow

SECRET = "whsec_" + base64.b64encode(b"the gateway's inbound secret 32b").decode()
CLAIRE_MOBILE = "+33611111111"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ACCUEIL_SMS_INBOUND_SECRET", SECRET)
    monkeypatch.setenv("ACCUEIL_SMS_TOKEN", "twilio-token")
    monkeypatch.setenv("ACCUEIL_SMS_INBOUND_URL", "https://accueil.example/api/v1/sms/twilio")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _claires(world: World) -> str:
    items = world.client("claire").get("/api/v1/accounts/alpha/people/claire/messages").json()
    return str(items["items"][0]["id"])


def test_an_employee_reads_and_acknowledges_their_message_and_the_read_is_recorded(
    lite: World,
) -> None:
    claire, uid = lite.client("claire"), _claires(lite)
    base = f"/api/v1/accounts/alpha/people/claire/messages/{uid}"
    assert claire.get(base).json()["caller_name"] == "Client"
    assert claire.post(f"{base}/read").json()["status"] == "read"
    first = claire.post(f"{base}/acknowledge").json()
    again = claire.post(f"{base}/acknowledge").json()
    assert (first["acknowledged"], again["acknowledged"]) == (True, False)
    with lite.runtime.sessions() as s:
        done = [(h.kind, h.actor) for h in history(s, "alpha", uid)]
    assert ("read", "claire") in done and ("acknowledged", "claire") in done
    listed = lite.client("alpha_admin").get("/api/v1/accounts/alpha/messages").json()["items"]
    assert [m["status"] for m in listed] == ["acknowledged"]
    assert claire.get("/api/v1/accounts/alpha/messages").status_code == 404  # not an admin


def test_a_status_messages_do_not_have_is_refused_naming_the_query_parameter(
    lite: World,
) -> None:
    _claires(lite)
    admin = lite.client("alpha_admin")
    before = admin.get("/api/v1/accounts/alpha/messages").json()["items"]
    for path in (
        "/api/v1/accounts/alpha/messages",
        "/api/v1/accounts/alpha/people/claire/messages",
    ):
        answer = admin.get(path, params={"status": "lost"})
        assert answer.status_code == 422, answer.text
        assert [e["path"] for e in answer.json()["errors"]] == ["query.status"]
        assert "'lost' is not a message status" in answer.json()["detail"]
    assert admin.get("/api/v1/accounts/alpha/messages").json()["items"] == before  # unchanged


def test_a_message_of_another_person_is_not_found_on_ones_own_path(lite: World) -> None:
    uid = _claires(lite)
    admin = lite.client("alpha_admin")
    answer = admin.get(f"/api/v1/accounts/alpha/people/paul/messages/{uid}")
    assert answer.status_code == 404


def _sent_sms(world: World) -> None:
    """As if the dispatcher had sent claire's message by SMS, the gateway's id being SM1."""
    with world.runtime.app.unit_of_work() as work:
        row = work.session.scalars(
            select(MessageRow).where(MessageRow.person_key == "claire")
        ).one()
        sms = queue(work.session, row, "sms", CLAIRE_MOBILE, work.now, now=work.now)
        sms.state, sms.provider_id, sms.sent_at = "sent", "SM1", work.now


def test_a_supervisor_sees_the_dead_letters_and_retries_one_now(lite: World) -> None:
    uid = _claires(lite)
    with lite.runtime.app.unit_of_work() as work:
        row = work.session.scalars(select(MessageRow).where(MessageRow.uid == uid)).one()
        dead = queue(work.session, row, "email", "claire@alpha.example", work.now, now=work.now)
        work.session.flush()
        dead.attempts = 8
        deliveries.mark_failed(
            work.session, dead.id, "SMTP 550: mailbox unavailable", now=work.now, retry_at=None
        )
    admin, base = lite.client("alpha_admin"), "/api/v1/accounts/alpha/deliveries"
    (shown,) = admin.get(f"{base}/dead").json()["items"]
    assert (shown["message"], shown["channel"], shown["attempts"]) == (uid, "email", 8)
    assert "SMTP 550" in shown["last_error"]
    assert lite.client("claire").get(f"{base}/dead").status_code == 404  # not a supervisor
    done = admin.post(f"{base}/{shown['id']}/retry")
    assert done.status_code == 200 and done.json() == {"id": shown["id"], "state": "queued"}
    assert admin.get(f"{base}/dead").json()["items"] == []
    again = admin.post(f"{base}/{shown['id']}/retry")
    assert again.status_code == 409 and "not dead" in again.text
    assert admin.post(f"{base}/999999/retry").status_code == 404
    with lite.runtime.sessions() as s:
        last = history(s, "alpha", uid)[-1]
    assert (last.kind, last.actor, last.detail) == ("queued", "alpha_admin", "retry now")


def _signed(body: dict[str, str], hook_id: str, at: datetime | None = None) -> dict[str, str]:
    stamp = at or datetime.now(UTC)
    text = json.dumps(body)
    return {
        "content-type": "application/json",
        "webhook-id": hook_id,
        "webhook-timestamp": str(int(stamp.timestamp())),
        "webhook-signature": Webhook(SECRET).sign(hook_id, stamp, text),
    }


def test_a_signed_receipt_is_taken_once_and_forged_or_old_ones_refused(
    lite: World, gateway: None
) -> None:
    _sent_sms(lite)
    uid, client = _claires(lite), lite.client()
    body = {"type": "receipt", "id": "SM1", "status": "delivered"}
    text = json.dumps(body)
    ok = client.post("/api/v1/sms/generic", content=text, headers=_signed(body, "evt-1"))
    assert ok.status_code == 200 and ok.json()["result"] == f"{uid}: delivered"
    replay = client.post("/api/v1/sms/generic", content=text, headers=_signed(body, "evt-1"))
    assert replay.json()["result"] == "already handled: evt-1"
    tampered = text.replace("delivered", "failed")
    forged = client.post("/api/v1/sms/generic", content=tampered, headers=_signed(body, "evt-2"))
    assert forged.status_code == 401 and "no signature matches" in forged.text
    old = _signed(body, "evt-3", datetime.now(UTC) - timedelta(minutes=10))
    assert "too old" in client.post("/api/v1/sms/generic", content=text, headers=old).text
    assert client.post("/api/v1/sms/generic", content=text).status_code == 401
    assert client.post("/api/v1/sms/carrier-pigeon", content=text).status_code == 404
    with lite.runtime.sessions() as s:
        assert [h.kind for h in history(s, "alpha", uid)].count("delivered") == 1


def test_a_twilio_reply_1_acknowledges_only_with_twilios_signature(
    lite: World, gateway: None
) -> None:
    _sent_sms(lite)
    uid, client = _claires(lite), lite.client()
    form = {"MessageSid": "SMin1", "From": CLAIRE_MOBILE, "To": "+33100000000", "Body": "1"}
    url = "https://accueil.example/api/v1/sms/twilio"
    headers = {"content-type": "application/x-www-form-urlencoded"}
    bad = client.post("/api/v1/sms/twilio", content=urlencode(form),
                      headers={**headers, "x-twilio-signature": "forged"})  # fmt: skip
    assert bad.status_code == 401
    signed = {**headers, "x-twilio-signature": twilio_signature("twilio-token", url, form)}
    ok = client.post("/api/v1/sms/twilio", content=urlencode(form), headers=signed)
    assert ok.json()["result"] == f"{uid}: acknowledged by {CLAIRE_MOBILE}"
    again = client.post("/api/v1/sms/twilio", content=urlencode(form), headers=signed)
    assert again.json()["result"].startswith("already handled")


def _all_pages(client: TestClient, path: str, params: dict[str, Any]) -> list[str]:
    """The ids of every page of ``path``, following next_cursor (pages at most ``limit``)."""
    seen: list[str] = []
    cursor = None
    while True:
        page = client.get(path, params=params | ({"cursor": cursor} if cursor else {})).json()
        assert len(page["items"]) <= params["limit"]
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_messages_come_in_cursor_pages_newest_first_filters_kept_across_pages(
    world: World,
) -> None:
    """Six more messages for claire (two taken at the same instant); pages of two, then of
    one with a status filter; a cursor of another account's message is a 422, not a leak."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with world.runtime.app.unit_of_work() as work:
        for i, minutes in enumerate((1, 2, 3, 3, 4, 5)):
            new = NewMessage("claire", Level.NORMAL, caller_number="+33699999999",
                             caller_name=f"Caller {i}")  # fmt: skip
            take_message(work.session, "alpha", new, now=start + timedelta(minutes=minutes))
    admin, base = world.client("alpha_admin"), "/api/v1/accounts/alpha/people/claire/messages"
    everything = [m["id"] for m in admin.get(base, params={"limit": 500}).json()["items"]]
    assert len(everything) == 7 and len(set(everything)) == 7
    assert _all_pages(admin, base, {"limit": 2}) == everything, "each once, newest first"
    taken = [m["taken_at"] for m in admin.get(base, params={"limit": 500}).json()["items"]]
    assert taken == sorted(taken, reverse=True)
    uid = everything[0]
    admin.post(f"{base}/{uid}/read")
    read = admin.get(base, params={"status": "read", "limit": 1}).json()
    assert [m["id"] for m in read["items"]] == [uid] and read["next_cursor"] is None
    statuses = {
        m["id"]: m["status"] for m in admin.get(base, params={"limit": 500}).json()["items"]
    }
    other = statuses[everything[1]]
    assert other != "read"
    wanted = [i for i in everything if statuses[i] == other]
    assert _all_pages(admin, base, {"limit": 2, "status": other}) == wanted
    bravos = world.client("bravo_admin").get("/api/v1/accounts/bravo/messages").json()["items"]
    foreign = encode_cursor(bravos[0]["id"])
    refused = admin.get(base, params={"cursor": foreign})
    assert refused.status_code == 422 and refused.json()["errors"][0]["path"] == "query.cursor"
    assert "Secret" not in refused.text
