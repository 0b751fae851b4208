"""SMS through an HTTP gateway: a generic configurable one and a Twilio-compatible one.

Each sending carries an idempotency key (the delivery's: ``<uid>.<id>``), which the gateway
uses to answer a repeated request with the first one's id instead of sending again; the
gateway's id is recorded with the sending, before any retry, so its delivery receipts find
their message. Receipts and replies come back on the signed endpoint of ``api`` (see
``services.sms_inbound`` and docs/messages.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

import httpx2 as httpx

from accueil.dispatch import render
from accueil.dispatch.channel import OverHttp, Receipt, SendFailed
from accueil.dispatch.webhook import answered
from accueil.errors import says
from accueil.services.deliveries import Claimed


@dataclass(frozen=True)
class GatewaySettings:
    kind: str = "generic"  # generic, twilio
    url: str = ""  # generic: the endpoint to POST to; twilio: the API's base URL
    account: str = ""  # twilio: the account SID
    token: str = ""  # generic: a bearer token; twilio: the auth token
    sender: str = ""  # the number or name SMS come from
    status_callback: str = ""  # twilio: where receipts go (our endpoint's public URL)
    id_field: str = "id"  # generic: the field of the answer holding the gateway's id
    timeout: float = 10.0


def idempotency_key(item: Claimed) -> str:
    return f"{item.message.uid}.{item.id}.{item.round}"


class SmsChannel(OverHttp):
    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        super().__init__(settings.timeout)

    async def send(self, item: Claimed) -> Receipt:
        if item.provider_id:  # the gateway has it already: never send twice
            return Receipt(provider_id=item.provider_id, detail="already with the gateway")
        s, text = self.settings, render.sms(item)
        try:
            if s.kind == "twilio":
                response = await self._http().post(
                    f"{s.url.rstrip('/')}/2010-04-01/Accounts/{s.account}/Messages.json",
                    data=_twilio_form(item.address, s.sender, text, s.status_callback),
                    auth=(s.account, s.token),
                    headers={"I-Twilio-Idempotency-Token": idempotency_key(item)},
                )
                id_field = "sid"
            else:
                response = await self._http().post(
                    s.url,
                    json={"to": item.address, "from": s.sender, "text": text},
                    headers={
                        "authorization": f"Bearer {s.token}",
                        "idempotency-key": idempotency_key(item),
                    },
                )
                id_field = s.id_field
        except httpx.HTTPError as exc:
            raise SendFailed(says("SMS gateway: %(error)s", error=repr(exc))) from None
        answered(response.status_code, response.headers.get("retry-after"))
        try:
            provider_id = str(response.json()[id_field])
        except (ValueError, KeyError, TypeError):
            # it answered 2xx but not what a gateway says: it may have sent it; the same
            # idempotency key on the retry makes the gateway say so instead of sending again
            raise SendFailed(
                says(
                    "SMS gateway answered without %(field)r: %(text)r",
                    field=id_field,
                    text=response.text[:200],
                )
            ) from None
        return Receipt(provider_id=provider_id, detail=f"HTTP {response.status_code}")


def _twilio_form(to: str, sender: str, text: str, callback: str) -> dict[str, str]:
    form = {"To": to, "From": sender, "Body": text}
    if callback:
        form["StatusCallback"] = callback
    return form


def twilio_signature(token: str, url: str, params: Mapping[str, str]) -> str:
    """X-Twilio-Signature: HMAC-SHA1 of the URL then each form field (sorted) name and value."""
    data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()
