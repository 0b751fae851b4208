"""Webhooks to a client's own systems, signed per Standard Webhooks (``standardwebhooks``).

Each request carries ``webhook-id`` (the message's uid: the same on every retry, so the
receiver can drop a repeat), ``webhook-timestamp`` and ``webhook-signature`` (HMAC-SHA256 of
``id.timestamp.body`` with the account's secret, ``whsec_``-prefixed base64). A 2xx is
delivered; 408, 429 (with its Retry-After) and 5xx are retried; any other 4xx is final.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

import httpx2 as httpx
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from accueil.dispatch import render
from accueil.dispatch.channel import OverHttp, Receipt, SendFailed
from accueil.errors import says
from accueil.services.deliveries import Claimed

TOLERANCE = timedelta(minutes=5)


class WebhookChannel(OverHttp):
    def __init__(self, now: Callable[[], datetime], *, timeout: float = 10.0) -> None:
        self._now = now
        super().__init__(timeout)

    async def send(self, item: Claimed) -> Receipt:
        body = json.dumps(render.webhook_payload(item), ensure_ascii=False)
        secret = item.secret
        if not secret:
            raise SendFailed(
                says(
                    "account %(account)r has no webhook_secret in its delivery preferences",
                    account=item.account,
                ),
                retry=False,
            )
        hook_id = item.message.uid if item.step == 0 else f"{item.message.uid}.{item.step}"
        stamp = self._now()
        headers = {
            "content-type": "application/json",
            "webhook-id": hook_id,
            "webhook-timestamp": str(int(stamp.timestamp())),
            "webhook-signature": Webhook(secret).sign(hook_id, stamp, body),
        }
        try:
            response = await self._http().post(item.address, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SendFailed(
                says("webhook %(address)s: %(error)s", address=item.address, error=repr(exc))
            ) from None
        return answered(response.status_code, response.headers.get("retry-after"))


def answered(status: int, retry_after: str | None) -> Receipt:
    """What an HTTP status means for a delivery (shared by the webhook and SMS channels)."""
    if 200 <= status < 300:
        return Receipt(delivered=True, detail=f"HTTP {status}")
    retry = status in (408, 425, 429) or status >= 500
    raise SendFailed(
        says("HTTP %(status)s", status=status), retry=retry, retry_after=seconds(retry_after)
    )


def seconds(retry_after: str | None) -> float | None:
    """A Retry-After given in seconds (an HTTP date is rare from gateways: ignored)."""
    if retry_after and retry_after.strip().isdigit():
        return float(retry_after.strip())
    return None


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance: timedelta = TOLERANCE,
) -> str:
    """Check a Standard Webhooks request at ``now``; its webhook-id, or why it is refused.

    The same check as ``standardwebhooks.Webhook.verify``, on a clock passed in (the library's
    reads the wall clock), so that "too old" can be tested and a receiver can keep its own.
    Refusing a replay (a webhook-id already handled) is the receiver's: it keeps the ids.
    """
    found = {k.lower(): v for k, v in headers.items()}
    hook_id, stamp, signatures = (
        found.get("webhook-id"),
        found.get("webhook-timestamp"),
        found.get("webhook-signature"),
    )
    if not (hook_id and stamp and signatures):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or signature")
    try:
        sent = datetime.fromtimestamp(int(stamp), tz=UTC)
    except (ValueError, OverflowError):
        raise WebhookVerificationError(f"webhook-timestamp {stamp!r} is not a time") from None
    if sent < now - tolerance:
        raise WebhookVerificationError(f"too old: signed at {sent.isoformat()}")
    if sent > now + tolerance:
        raise WebhookVerificationError(f"too new: signed at {sent.isoformat()}")
    expected = Webhook(secret).sign(hook_id, sent, body).encode()
    if not any(hmac.compare_digest(expected, s.encode()) for s in signatures.split()):
        raise WebhookVerificationError("no signature matches")
    return hook_id
