"""Bearer tokens found good are kept a few seconds (``api/signed.py``): what is kept, for how
long, and what a revocation or a deactivation forgets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from accueil.api.signed import Checked, TokenCache
from accueil.core.access import Role
from accueil.services.users import User

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Ticking:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _checked(name: str, prefix: str) -> Checked:
    user = User(name, Role.CLIENT_ADMIN, "alpha", None, None, True, NOW)
    return Checked(user, 1, prefix)


def test_a_token_found_good_is_kept_for_its_seconds_then_checked_again() -> None:
    clock = Ticking()
    cache = TokenCache(5.0, clock)
    assert cache.get("acc_p1_secret") == (None, 0)
    cache.put("acc_p1_secret", _checked("ca", "p1"), 0)
    clock.now += 4.9
    assert cache.get("acc_p1_secret")[0] == _checked("ca", "p1")
    assert cache.get("acc_p1_other")[0] is None  # another secret with the same prefix
    clock.now += 0.2
    assert cache.get("acc_p1_secret")[0] is None


def test_a_revocation_or_a_deactivation_forgets_at_once() -> None:
    cache = TokenCache(5.0, Ticking())
    for token, name, prefix in (
        ("acc_p1_s", "ca", "p1"),
        ("acc_p2_s", "ca", "p2"),
        ("acc_p3_s", "em", "p3"),
    ):
        cache.put(token, _checked(name, prefix), 0)
    cache.forget(prefix="p1")
    assert [cache.get(t)[0] is None for t in ("acc_p1_s", "acc_p2_s", "acc_p3_s")] == [
        True,
        False,
        False,
    ]
    cache.forget(user="ca")
    assert [cache.get(t)[0] is None for t in ("acc_p2_s", "acc_p3_s")] == [True, False]


def test_a_check_begun_before_a_revocation_is_not_kept() -> None:
    cache = TokenCache(5.0, Ticking())
    _, generation = cache.get("acc_p1_s")  # a request starts checking the token...
    cache.forget(prefix="p1")  # ...while another revokes it
    cache.put("acc_p1_s", _checked("ca", "p1"), generation)
    assert cache.get("acc_p1_s")[0] is None


def test_nothing_is_kept_with_zero_seconds() -> None:
    cache = TokenCache(0.0, Ticking())
    cache.put("acc_p1_s", _checked("ca", "p1"), 0)
    assert cache.get("acc_p1_s")[0] is None


def test_requests_that_find_a_token_expired_together_share_one_check() -> None:
    clock = Ticking()
    cache = TokenCache(5.0, clock)
    checks: list[int] = []

    async def check(generation: int) -> Checked:
        checks.append(generation)
        await asyncio.sleep(0)  # the check reads the database, in a thread, meanwhile
        found = _checked("ca", "p1")
        cache.put("acc_p1_s", found, generation)
        return found

    async def many() -> list[Checked]:
        return await asyncio.gather(*(cache.once("acc_p1_s", check) for _ in range(50)))

    assert asyncio.run(many()) == [_checked("ca", "p1")] * 50
    assert checks == [0]  # one check, not fifty
    asyncio.run(many())
    assert checks == [0]  # kept: none
    clock.now += 5.0
    asyncio.run(many())
    assert len(checks) == 2  # expired: one check again


def test_a_refused_token_is_refused_to_every_request_that_waited_for_its_check() -> None:
    cache = TokenCache(5.0, Ticking())

    async def check(generation: int) -> Checked:
        await asyncio.sleep(0)
        raise LookupError("the token is not known")

    async def many() -> list[Checked | BaseException]:
        asked = (cache.once("acc_p9_s", check) for _ in range(3))
        return await asyncio.gather(*asked, return_exceptions=True)

    assert [str(e) for e in asyncio.run(many())] == ["the token is not known"] * 3
    with pytest.raises(LookupError):  # nothing kept: checked again, refused again
        asyncio.run(cache.once("acc_p9_s", check))
