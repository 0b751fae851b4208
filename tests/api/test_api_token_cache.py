"""Bearer tokens found good are kept a few seconds (``api/signed.py``): what is kept, for how
long, and what a revocation or a deactivation forgets."""

from __future__ import annotations

from datetime import UTC, datetime

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
