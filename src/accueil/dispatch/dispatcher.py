"""The dispatcher: claims due deliveries, sends each through its channel, records the outcome.

One claim takes a batch (a lease per row, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL); the batch
is sent with bounded concurrency; each outcome is committed on its own as soon as it is known,
so a dispatcher killed mid-batch leaves at most the sendings in flight at that instant to be
sent again (with the same Message-ID, webhook-id or gateway idempotency key) once their lease
has run out. A failed sending is retried with exponential backoff and jitter, up to
``max_attempts``; then it is dead, shown to supervisors with a "retry now". Nothing a channel
does can stop the loop: every fault is recorded against its delivery and logged with the
message id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from accueil.core.delivery import backoff
from accueil.dispatch.channel import Channel, Receipt, SendFailed
from accueil.dispatch.email import SmtpChannel
from accueil.errors import says
from accueil.services import deliveries
from accueil.services.deliveries import Claimed
from accueil.services.escalation import escalate
from accueil.services.privacy import purge
from accueil.services.unit_of_work import Application

log = logging.getLogger(__name__)
LINGER = 0.002  # seconds a commit waits for the sendings about to answer, to take them along


@dataclass
class Tally:
    """What a dispatcher did (for its log line and the benchmark)."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    escalations: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Dispatcher:
    def __init__(
        self,
        app: Application,
        channels: Mapping[str, Channel],
        *,
        worker: str = "dispatcher",
        batch: int = 100,
        concurrency: int = 8,
        lease: timedelta = timedelta(seconds=60),
        attempt_timeout: float = 30.0,
        max_attempts: int = deliveries.MAX_ATTEMPTS,
        rng: random.Random | None = None,
        purge_every: timedelta | None = timedelta(days=1),
    ) -> None:
        self.app, self.channels, self.worker = app, dict(channels), worker
        self.batch, self.lease, self.max_attempts = batch, lease, max_attempts
        self.attempt_timeout = attempt_timeout
        self.rng = rng or random.Random()
        self.tally = Tally()
        self.concurrency = concurrency
        self.purge_every = purge_every
        self._next_purge: datetime | None = None

    async def run_once(self) -> int:
        """Claim one batch and handle it whole; returns how many deliveries were claimed."""
        claimed = await asyncio.to_thread(self._claim)
        if not claimed:
            return 0
        self._slots = asyncio.Semaphore(self.concurrency)
        self._unrecorded = asyncio.Semaphore(2 * self.concurrency)
        self._waiting: list[tuple[list[Claimed], Receipt, asyncio.Future[None]]] = []
        self._committing = False
        self._in_flight = 0
        digests: dict[tuple[str, str], list[Claimed]] = defaultdict(list)
        jobs = []
        for item in claimed:
            if item.channel == "digest":
                digests[(item.account, item.address)].append(item)
            else:
                jobs.append(self._guarded(self._one(item), [item]))
        jobs += [self._guarded(self._digest(group), group) for group in digests.values()]
        await asyncio.gather(*jobs)
        return len(claimed)

    async def run(self, stop: asyncio.Event, *, idle: float = 0.5) -> None:
        """Dispatch until ``stop`` is set, sleeping at most ``idle`` seconds when nothing is due."""
        while not stop.is_set():
            await self.housekeep()
            handled = await self.run_once()
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)

    async def drain(self, *, pause: float = 0.2) -> None:
        """Send all that is due now, waiting out the leases of dispatchers that stopped."""
        while True:
            if await self.run_once():
                continue
            if not await asyncio.to_thread(self._outstanding):
                return
            await asyncio.sleep(pause)

    async def housekeep(self) -> bool:
        """The scheduled job of retention: each account's old data purged, once a day.

        Run by ``run`` (at start, then every ``purge_every``); with several dispatchers each
        runs it, which is harmless (a purge deletes what is older than the account keeps).
        Returns whether it ran. A failure is logged and tried again at the next turn.
        """
        now = self.app.clock.now()
        if self.purge_every is None or (self._next_purge is not None and now < self._next_purge):
            return False
        try:
            done = await asyncio.to_thread(self._purge)
        except Exception:
            log.exception("retention purge failed")
            return False
        self._next_purge = now + self.purge_every
        for account, (messages, calls) in sorted(done.items()):
            log.info("retention: %s: %d messages, %d call records purged", account, messages, calls)
        return True

    async def close(self) -> None:
        """Close the channels' connections (they open again on the next sending)."""
        for channel in self.channels.values():
            await channel.close()

    # one delivery ---------------------------------------------------------------------------

    async def _one(self, item: Claimed) -> None:
        if item.channel == "escalate":
            said = await asyncio.to_thread(self._escalate, item.id)
            self.tally.escalations += 1
            log.info("message %s: %s", item.message.uid, said)
            return
        channel = self.channels.get(item.channel)
        if channel is None:
            raise SendFailed(
                says("no %(channel)s channel is configured", channel=item.channel), retry=False
            )
        async with self._unrecorded:  # held until the outcome is committed: see _record
            receipt = await self._send(channel.send(item))
            await self._record([item], receipt)

    async def _digest(self, items: list[Claimed]) -> None:
        channel = self.channels.get("email")
        if not isinstance(channel, SmtpChannel):
            raise SendFailed(says("the digest goes by email: no email channel is configured"))
        async with self._unrecorded:
            receipt = await self._send(channel.send_digest(items))
            await self._record(items, receipt)

    async def _send(self, sending: Coroutine[Any, Any, Receipt]) -> Receipt:
        """A channel's sending, within the dispatcher's concurrency and its time-out."""
        async with self._slots:
            self._in_flight += 1
            try:
                return await asyncio.wait_for(sending, self.attempt_timeout)
            finally:
                self._in_flight -= 1

    async def _record(self, items: list[Claimed], receipt: Receipt) -> None:
        """Commit a sending's outcome, together with those that arrive while one commits.

        One transaction for several outcomes (a group commit) costs little more than for one.
        A sending gives its slot back as soon as the channel has answered, so the next ones go
        while this one's outcome is being committed; but it holds one of ``2 * concurrency``
        places until it is recorded, so at most that many sendings (in flight, or done and not
        yet recorded) can be repeated after a crash.
        """
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((items, receipt, done))
        if not self._committing:
            self._committing = True
            try:
                while self._waiting:
                    if len(self._waiting) < self._in_flight:  # more are about to answer
                        await asyncio.sleep(LINGER)
                    group, self._waiting = self._waiting, []
                    try:
                        await asyncio.to_thread(self._sent, group)
                    except Exception as exc:  # the store failed: each sending hears it
                        for _, _, waiter in group:
                            waiter.set_exception(exc)
                    else:
                        for _, _, waiter in group:
                            waiter.set_result(None)
            finally:
                self._committing = False
        await done

    async def _guarded(self, job: object, items: list[Claimed]) -> None:
        """Run a sending; whatever goes wrong is recorded against its deliveries, never raised."""
        try:
            await job  # type: ignore[misc]
        except SendFailed as exc:
            await asyncio.to_thread(self._failed, items, exc)
        except Exception as exc:  # a fault of ours or a library's: retried, logged, not fatal
            log.exception("message %s: sending failed", items[0].message.uid)
            reason = says("timed out") if isinstance(exc, TimeoutError) else repr(exc)
            await asyncio.to_thread(self._failed, items, SendFailed(reason))

    # the store, each in its own transaction (called in a thread) ---------------------------

    def _claim(self) -> list[Claimed]:
        with self.app.unit_of_work() as work:
            return deliveries.claim(
                work.session, self.worker, now=work.now, limit=self.batch, lease=self.lease
            )

    def _sent(self, group: list[tuple[list[Claimed], Receipt, asyncio.Future[None]]]) -> None:
        done = [
            deliveries.Sent(item.id, receipt.provider_id, receipt.delivered, receipt.detail)
            for items, receipt, _ in group
            for item in items
        ]
        with self.app.unit_of_work() as work:
            deliveries.mark_sent(work.session, done, now=work.now)
        for items, _, _ in group:
            self.tally.sent += len(items)
            for item in items:
                self.tally.by_channel[item.channel] += 1

    def _failed(self, items: list[Claimed], exc: SendFailed) -> None:
        with self.app.unit_of_work() as work:
            for item in items:
                retry_at = (
                    work.now + backoff(item.attempts, self.rng, retry_after=exc.retry_after)
                    if exc.retry
                    else None
                )
                dead = deliveries.mark_failed(
                    work.session,
                    item.id,
                    exc.reason,
                    now=work.now,
                    retry_at=retry_at,
                    max_attempts=self.max_attempts,
                )
                self.tally.failed += 1
                self.tally.dead += dead
                log.warning(
                    "message %s: %s to %s failed (attempt %d%s): %s",
                    item.message.uid,
                    item.channel,
                    item.id,
                    item.attempts,
                    ", dead" if dead else "",
                    exc.reason,
                )

    def _outstanding(self) -> int:
        with self.app.sessions() as session:
            return deliveries.outstanding(session, now=self.app.clock.now())

    def _purge(self) -> dict[str, tuple[int, int]]:
        with self.app.unit_of_work() as work:
            return purge(work.session, now=work.now)

    def _escalate(self, delivery: int) -> str:
        with self.app.unit_of_work() as work:
            return escalate(work.session, delivery, now=work.now)
