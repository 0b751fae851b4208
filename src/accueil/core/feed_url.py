"""A calendar feed's URL, read strictly once: scheme, host, port and target, or a clear refusal.

The same reading serves ``calendar set`` (refuse a malformed URL before it is stored) and the
fetcher (which connects only to what this says, never to a name some later step decodes).
Pure: no DNS, no network.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from accueil.errors import InvalidInput, says

SCHEMES = {"http": 80, "https": 443}
ALIASES = {"webcal": "https", "webcals": "https"}  # what Google, Outlook and iCloud hand out
# One label of a host name after IDNA: letters, digits, hyphens (underscores seen in the wild).
_LABEL = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")


class BadFeedUrl(InvalidInput):
    """A calendar feed URL that cannot be used; the message says which part and why."""

    code = "calendar_feed_url_invalid"


@dataclass(frozen=True)
class FeedUrl:
    """A checked http(s) URL: ``host`` is a lower-case ASCII name or an IP address literal."""

    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line

    @property
    def literal(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
        """The address when the host is an IP literal (no DNS needed), else None."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == SCHEMES[self.scheme] else f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host_header}{self.target}"


def _refuse(url: str, why: str) -> BadFeedUrl:
    return BadFeedUrl(
        says("%(url)r is not a usable calendar feed URL: %(why)s", url=url, why=why), url=url
    )


def parse_feed_url(url: str) -> FeedUrl:
    """Read a feed URL (``webcal://`` becomes https); BadFeedUrl says what is wrong with it."""
    text = url.strip()
    if not text:
        raise _refuse(url, "it is empty")
    if _FORBIDDEN.search(text):
        raise _refuse(url, "it contains a space, a control character or a backslash")
    try:
        parts = urlsplit(text)
    except ValueError:  # urllib's only complaint here is an unclosed "["
        raise _refuse(url, "unbalanced brackets around an IPv6 host") from None
    try:
        port = parts.port
    except ValueError:
        raise _refuse(url, "its port is not a number from 1 to 65535") from None
    scheme = ALIASES.get(parts.scheme.lower(), parts.scheme.lower())
    if scheme not in SCHEMES:
        raise _refuse(url, "a calendar feed is an http://, https:// or webcal:// URL")
    if "@" in parts.netloc:
        raise _refuse(
            url, "credentials in the URL are not accepted (use the calendar's secret link)"
        )
    host = _host(url, parts.netloc, parts.hostname or "")
    if port == 0:
        raise _refuse(url, "its port is not a number from 1 to 65535")
    target = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return FeedUrl(scheme, host, port or SCHEMES[scheme], target)


def _host(url: str, netloc: str, hostname: str) -> str:
    if not hostname:
        raise _refuse(url, "it has no host")
    if "%" in hostname:
        # percent-encoding is not allowed in a host: 127.0.0.%31 must never reach a resolver
        raise _refuse(url, f"the host {hostname!r} is percent-encoded")
    if netloc.startswith("["):
        try:
            return str(ipaddress.IPv6Address(hostname))
        except ValueError:
            raise _refuse(url, f"{hostname!r} is not an IPv6 address") from None
    if "[" in netloc or "]" in netloc:
        raise _refuse(url, "unbalanced brackets around the host")
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        raise _refuse(url, f"the host {hostname!r} is not a valid name") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refuse(url, f"the host {hostname!r} is not a valid name")
    return ascii_host
