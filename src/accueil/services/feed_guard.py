"""Calendar feeds are URLs written by clients: never let one make the server read its own network.

A feed whose host resolves to a private, loopback, link-local or otherwise non-public address is
refused, before the request and again at every redirect. An operator who serves calendars on
their own network says so with ``ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS=true``. (The check resolves
the name, then the request resolves it again: a host that changes its answer in between is not
stopped here; a firewall is the place for that.)
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.request
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlparse

from accueil.settings import get_settings


class PrivateHost(Exception):
    """The feed's host is not a public address; the message says which."""


def check_public(url: str) -> None:
    """Raise PrivateHost unless every address of the URL's host is public (or allowed)."""
    if get_settings().calendar_allow_private_hosts:
        return
    host = urlparse(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return  # an unknown host fails at the request, with its own clear reason
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            raise PrivateHost(
                f"the feed's host {host!r} is the non-public address {address}; calendar feeds "
                "must be on the internet (an operator may allow its own network with "
                "ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS=true)"
            )


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        check_public(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener() -> urllib.request.OpenerDirector:
    """A urllib opener whose redirects are checked like the first request."""
    return urllib.request.build_opener(_CheckedRedirects())
