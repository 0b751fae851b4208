"""Issue 9, holes 1 and 4: a calendar feed URL never makes the server read its own network, and
no feed holds a fetch (or the other feeds) for longer than its deadline.

Every case runs against real HTTP servers on loopback. Where the test is about the guard, the
private-hosts setting is off; to show a redirect or a resolver being re-checked, the fetcher is
told that only 127.0.0.1 is "public", and 127.0.0.2 plays the server's own network.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from calendar_servers import ICS, Server, body, chunked_forever, drip, redirect

from accueil.feeds import FeedFetcher, fetch_ics
from accueil.feeds.fetch import Address
from accueil.services.calendars import FeedUnreachable
from accueil.settings import get_settings


def _only_first_loopback(address: Address) -> bool:
    return str(address) == "127.0.0.1"


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def inside() -> Iterator[Server]:
    """The server's own network: a service nobody outside may read."""
    server = Server(host="127.0.0.2", answer=body(b"internal secret"))
    yield server
    server.stop()


@pytest.fixture
def outside() -> Iterator[Server]:
    """A feed server the test's fetcher counts as public."""
    server = Server()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "host",
    ["127.0.0.%31", "%6c%6f%63%61%6c%68%6f%73%74", "127.0.0.1%00.example.com", "%31%32%37.0.0.1"],
)
def test_a_percent_encoded_host_is_refused_before_any_request(
    strict: None, outside: Server, host: str
) -> None:
    with pytest.raises(FeedUnreachable, match="percent-encoded"):
        fetch_ics(f"http://{host}:{outside.port}/x.ics")
    assert outside.hits == 0


def test_a_percent_encoded_host_is_refused_even_when_private_hosts_are_allowed(
    outside: Server,
) -> None:
    with pytest.raises(FeedUnreachable, match="percent-encoded"):
        FeedFetcher(allow_private=True)(f"http://127.0.0.%31:{outside.port}/x.ics")
    assert outside.hits == 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/x.ics",
        "http://localhost:{port}/x.ics",
        "http://[::1]:{port}/x.ics",
        "http://2130706433:{port}/x.ics",  # 127.0.0.1 as one number: resolvers accept it
        "http://0x7f.1:{port}/x.ics",
        "http://0:{port}/x.ics",
    ],
)
def test_loopback_in_any_spelling_is_refused(strict: None, outside: Server, url: str) -> None:
    with pytest.raises(FeedUnreachable, match="non-public address") as info:
        fetch_ics(url.format(port=outside.port))
    assert "ACCUEIL_CALENDAR_ALLOW_PRIVATE_HOSTS" in info.value.message
    assert outside.hits == 0


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port}/admin",
        "http://127.0.0.%32:{port}/admin",
        "//127.0.0.2:{port}/admin",  # scheme-relative
        "file:///etc/passwd",
        "gopher://127.0.0.2:{port}/",
    ],
)
def test_every_redirect_is_read_and_checked_like_the_first_url(
    outside: Server, inside: Server, target: str
) -> None:
    outside.answer = redirect(target.format(port=inside.port))
    fetcher = FeedFetcher(is_public=_only_first_loopback)
    with pytest.raises(FeedUnreachable) as info:
        fetcher(outside.url())
    assert "internal secret" not in info.value.message
    assert outside.hits == 1 and inside.hits == 0


def test_a_chain_of_redirects_is_cut(outside: Server) -> None:
    outside.answer = redirect(outside.url("/again"))
    with pytest.raises(FeedUnreachable, match="redirected more than 5 times"):
        FeedFetcher(allow_private=True)(outside.url())
    assert outside.hits == 6


def test_a_good_redirect_is_followed(outside: Server) -> None:
    second = Server()
    try:
        outside.answer = redirect(second.url("/moved.ics"), status=301)
        assert FeedFetcher(is_public=_only_first_loopback)(outside.url()) == ICS
    finally:
        second.stop()


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    outside: Server, inside: Server
) -> None:
    # A rebinding resolver: public the first time it is asked, the server's own network after.
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])

    def rebinding(host: str, timeout: float) -> list[Address]:
        import ipaddress

        return [ipaddress.ip_address(a) for a in next(answers)]

    inside.answer = body(ICS)
    fetcher = FeedFetcher(is_public=_only_first_loopback, resolve=rebinding)
    assert fetcher(f"http://calendar.test:{outside.port}/claire.ics") == ICS
    assert outside.hits == 1 and inside.hits == 0
    assert outside.hosts == [f"calendar.test:{outside.port}"]  # the name still goes in Host


def test_one_private_address_among_public_ones_refuses_the_host(outside: Server) -> None:
    import ipaddress

    def mixed(host: str, timeout: float) -> list[Address]:
        return [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("10.0.0.7")]

    fetcher = FeedFetcher(is_public=_only_first_loopback, resolve=mixed)
    with pytest.raises(FeedUnreachable, match=r"10\.0\.0\.7"):
        fetcher(f"http://calendar.test:{outside.port}/claire.ics")
    assert outside.hits == 0


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/x.ics", "gopher://x/", "claire.ics", ""]
)
def test_the_fetcher_itself_accepts_only_http(url: str) -> None:
    with pytest.raises(FeedUnreachable, match="not a usable calendar feed URL"):
        FeedFetcher(allow_private=True)(url)


def test_a_server_dripping_the_body_is_dropped_at_the_deadline(outside: Server) -> None:
    stop = threading.Event()
    outside.answer = drip(0.2, stop)
    try:
        with pytest.raises(FeedUnreachable, match=r"took longer than 1 s"):
            FeedFetcher(allow_private=True, deadline=1.0)(outside.url())
    finally:
        stop.set()


def test_a_server_dripping_its_headers_is_dropped_at_the_deadline(outside: Server) -> None:
    stop = threading.Event()
    outside.answer = drip(0.2, stop, headers=True)
    try:
        with pytest.raises(FeedUnreachable, match=r"took longer than 1 s"):
            FeedFetcher(allow_private=True, deadline=1.0)(outside.url())
    finally:
        stop.set()


def test_a_body_larger_than_the_cap_is_refused_by_its_length(outside: Server) -> None:
    outside.answer = body(b"", length=50 * 1024 * 1024)
    with pytest.raises(FeedUnreachable, match="larger than 5 MB"):
        FeedFetcher(allow_private=True)(outside.url())


def test_an_endless_chunked_body_is_refused_at_the_cap(outside: Server) -> None:
    outside.answer = chunked_forever(b"X" * 65536)
    with pytest.raises(FeedUnreachable, match="larger than 1 MB"):
        FeedFetcher(allow_private=True, max_bytes=1024 * 1024)(outside.url())


def test_an_unknown_host_says_so() -> None:
    with pytest.raises(FeedUnreachable, match="could not be resolved"):
        FeedFetcher()("http://no-such-host.invalid/x.ics")


def test_a_closed_port_says_so(outside: Server) -> None:
    url = outside.url()
    outside.stop()
    with pytest.raises(FeedUnreachable, match="could not be reached"):
        FeedFetcher(allow_private=True)(url)
