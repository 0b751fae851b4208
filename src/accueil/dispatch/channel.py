"""The one small interface every channel implements, and how a sending can fail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx2 as httpx

from accueil.services.deliveries import Claimed


@dataclass(frozen=True)
class Receipt:
    """What a channel said when it took a message."""

    provider_id: str = ""  # the provider's id (an SMS gateway's), to match its receipts
    delivered: bool = False  # the channel says it arrived (a webhook answered 2xx)
    detail: str = ""


class SendFailed(Exception):
    """A sending did not go through; ``retry`` says whether trying again may help."""

    def __init__(
        self, reason: str, *, retry: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason, self.retry, self.retry_after = reason, retry, retry_after


class Channel(Protocol):
    """Sends one delivery. Raises ``SendFailed``; anything else counts as a retryable fault."""

    async def send(self, item: Claimed) -> Receipt: ...

    async def close(self) -> None: ...


class OverHttp:
    """A channel that speaks HTTP: its client is made in the running loop, closed with it."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        return self._client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
