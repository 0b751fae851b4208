"""A client's calendar URL never makes the server read its own network."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from http.client import HTTPMessage
from io import BytesIO

import pytest

from accueil.services.calendars import FeedUnreachable, fetch_ics
from accueil.services.feed_guard import PrivateHost, check_public, opener
from accueil.settings import get_settings


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/claire.ics",
        "http://localhost/claire.ics",
        "https://10.1.2.3/cal.ics",
        "http://192.168.1.20/cal.ics",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[::1]/cal.ics",
    ],
)
def test_feeds_on_non_public_addresses_are_refused_with_the_reason(strict: None, url: str) -> None:
    with pytest.raises(FeedUnreachable, match="non-public address") as info:
        fetch_ics(url)
    assert "ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS" in info.value.message


def test_a_public_address_passes_the_check(strict: None) -> None:
    check_public("https://93.184.215.14/calendar.ics")  # no request is made by the check


def test_a_redirect_to_the_servers_own_network_is_refused(strict: None) -> None:
    handler = next(
        h for h in opener().handlers if isinstance(h, urllib.request.HTTPRedirectHandler)
    )
    request = urllib.request.Request("https://93.184.215.14/calendar.ics")
    with pytest.raises(PrivateHost, match=r"127\.0\.0\.1"):
        handler.redirect_request(
            request, BytesIO(), 302, "Found", HTTPMessage(), "http://127.0.0.1/admin"
        )


def test_an_operator_may_allow_its_own_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS", "true")
    get_settings.cache_clear()
    check_public("http://10.1.2.3/cal.ics")
