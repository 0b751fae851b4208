"""Fetch a calendar feed over HTTP(S), guarded: clients write these URLs, attackers too.

By construction, not by filtering names:

- the URL is read once, strictly (``core.feed_url``): a percent-encoded, backslashed or otherwise
  odd host is refused before any lookup;
- the host is resolved once, every address it resolves to is checked (public unless the operator
  allows its own network), and the connection goes to the checked address itself — the HTTP
  library never resolves or decodes the name again, so no DNS rebinding or decoding step can
  slip between the check and the connection (TLS still checks the certificate of the name);
- redirects are followed by hand, each target read and checked the same way;
- one total deadline covers resolving, connecting, redirects, headers and body: a watchdog
  shuts the socket when it passes, so a server dripping a byte at a time cannot hold a fetch;
- the body is capped in size.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from accueil.core.feed_url import BadFeedUrl, FeedUrl, parse_feed_url
from accueil.services.calendars import MAX_BYTES, FeedUnreachable
from accueil.settings import get_settings

REDIRECTS = {301, 302, 303, 307, 308}
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, float], list[Address]]


class _Deadline:
    """Seconds left of one fetch's total time; ``expired`` once the watchdog fired."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.end = seconds, time.monotonic() + seconds
        self.expired = False

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise FeedUnreachable(f"the feed took longer than {self.seconds:g} s and was dropped")
        return left


@dataclass(frozen=True)
class FeedFetcher:
    """The network side of calendar feeds: ``fetcher(url) -> bytes`` or FeedUnreachable."""

    allow_private: bool = False
    deadline: float = 20.0  # seconds for the whole fetch, redirects included
    max_bytes: int = MAX_BYTES
    max_redirects: int = 5
    user_agent: str = "accueil-calendar/1"
    tls: ssl.SSLContext = field(default_factory=ssl.create_default_context, compare=False)
    # Seams for tests (a resolver that changes its answer, a narrower idea of "public"):
    resolve: Resolve = field(default=lambda host, timeout: _resolve(host, timeout))
    is_public: Callable[[Address], bool] = field(default=lambda address: address.is_global)

    def __call__(self, url: str) -> bytes:
        deadline = _Deadline(self.deadline)
        try:
            feed = parse_feed_url(url)
        except BadFeedUrl as exc:
            raise FeedUnreachable(exc.message) from None
        for _ in range(self.max_redirects + 1):
            status, location, body = self._get(feed, deadline)
            if status not in REDIRECTS:
                return body
            try:
                feed = parse_feed_url(urljoin(str(feed), location))
            except BadFeedUrl as exc:
                raise FeedUnreachable(f"the feed redirected to an unusable URL: {exc}") from None
        raise FeedUnreachable(f"the feed redirected more than {self.max_redirects} times")

    def _get(self, feed: FeedUrl, deadline: _Deadline) -> tuple[int, str, bytes]:
        address = self.address_of(feed, deadline)
        conn = _connection(feed, str(address), deadline.left(), self.tls)
        watchdog = threading.Timer(deadline.left(), _shut, (conn, deadline))
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._exchange(conn, feed, deadline)
        except FeedUnreachable:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if deadline.expired:
                deadline.left()  # raises the deadline's own message
            raise FeedUnreachable(f"the feed could not be reached: {_reason(exc)}") from None
        finally:
            watchdog.cancel()
            conn.close()

    def _exchange(
        self, conn: http.client.HTTPConnection, feed: FeedUrl, deadline: _Deadline
    ) -> tuple[int, str, bytes]:
        conn.request(
            "GET", feed.target, headers={"User-Agent": self.user_agent, "Accept": "text/calendar"}
        )
        response = conn.getresponse()
        try:
            return self._answer(response, deadline)
        finally:
            response.close()  # with conn.close(), the socket is really closed (no leak)

    def _answer(
        self, response: http.client.HTTPResponse, deadline: _Deadline
    ) -> tuple[int, str, bytes]:
        if response.status in REDIRECTS:
            location = response.getheader("Location", "")
            if not location:
                raise FeedUnreachable(f"the feed answered HTTP {response.status} with no Location")
            return response.status, location, b""
        if response.status != 200:
            raise FeedUnreachable(f"the feed answered HTTP {response.status} {response.reason}")
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FeedUnreachable(self._too_large())
        return response.status, "", self._body(response, deadline)

    def _body(self, response: http.client.HTTPResponse, deadline: _Deadline) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            deadline.left()
            chunk = response.read1(64 * 1024)
            if not chunk:
                if deadline.expired:  # the watchdog shut the socket: not the body's real end
                    deadline.left()
                if response.length:  # fewer bytes than Content-Length said
                    raise FeedUnreachable("the feed's answer was cut short")
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise FeedUnreachable(self._too_large())
            chunks.append(chunk)

    def _too_large(self) -> str:
        return f"the feed is larger than {self.max_bytes / 1024 / 1024:g} MB"

    def address_of(self, feed: FeedUrl, deadline: _Deadline) -> Address:
        """Resolve once; every address must pass (one private answer refuses the host)."""
        addresses = [feed.literal] if feed.literal else self.resolve(feed.host, deadline.left())
        deadline.left()
        if not addresses:
            raise FeedUnreachable(f"the feed's host {feed.host!r} has no address")
        if not self.allow_private:
            for address in addresses:
                if not self.is_public(address):
                    raise FeedUnreachable(
                        f"the feed was not read: its host {feed.host!r} is the non-public "
                        f"address {address}; calendar feeds must be on the internet (an operator "
                        "may allow its own network with ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS=true)"
                    )
        return addresses[0]


def default_fetcher() -> FeedFetcher:
    """The fetcher as the operator's settings say (private hosts allowed or not)."""
    settings = get_settings()
    return FeedFetcher(
        allow_private=settings.calendar_allow_private_hosts,
        deadline=settings.calendar_fetch_deadline_seconds,
    )


def fetch_ics(url: str) -> bytes:
    """GET a calendar feed with the operator's settings; FeedUnreachable says why not."""
    return default_fetcher()(url)


def _resolve(host: str, timeout: float) -> list[Address]:
    # getaddrinfo has no timeout of its own: it runs in a daemon thread we stop waiting for.
    found: list[Any] = []
    failed: list[BaseException] = []

    def lookup() -> None:
        try:
            found.extend(socket.getaddrinfo(host, None, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            failed.append(exc)

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise FeedUnreachable(f"the feed's host {host!r} did not resolve in time")
    if failed or not found:
        reason = _reason(failed[0]) if failed else "no address"
        raise FeedUnreachable(f"the feed's host {host!r} could not be resolved: {reason}")
    addresses: list[Address] = []
    for info in found:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


class _PinnedHTTP(http.client.HTTPConnection):
    """HTTP to a checked address; the Host header still names the feed's host."""

    def __init__(self, feed: FeedUrl, address: str, timeout: float) -> None:
        super().__init__(feed.host, feed.port, timeout=timeout)
        self.address = address
        self.raw: socket.socket | None = None  # kept: http.client drops .sock once answered

    def connect(self) -> None:
        self.sock = self.raw = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is checked against the feed's host name."""

    def __init__(self, feed: FeedUrl, address: str, timeout: float, tls: ssl.SSLContext) -> None:
        super().__init__(feed.host, feed.port, timeout=timeout, context=tls)
        self.address, self.tls = address, tls
        self.raw: socket.socket | None = None  # kept: http.client drops .sock once answered

    def connect(self) -> None:
        raw = self.raw = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def _connection(
    feed: FeedUrl, address: str, timeout: float, tls: ssl.SSLContext
) -> http.client.HTTPConnection:
    if feed.scheme == "https":
        return _PinnedHTTPS(feed, address, timeout, tls)
    return _PinnedHTTP(feed, address, timeout)


def _shut(conn: http.client.HTTPConnection, deadline: _Deadline) -> None:
    deadline.expired = True
    # the raw socket: after the status line http.client hands the socket to the response and
    # forgets it (conn.sock is None), but the body is still read from it
    sock = getattr(conn, "raw", None) or conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return exc.strerror or str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
