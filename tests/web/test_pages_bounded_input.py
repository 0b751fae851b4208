"""The pages refuse what the store cannot hold as the API does, saying why in French: a day past
what a date holds, a version or a delivery past its column (``api/conventions.RowId``)."""

from __future__ import annotations

from web_world import World

from accueil.core.storable import BIGINT_MAX, INTEGER_MAX


def test_a_day_out_of_the_years_is_refused_saying_why(world: World) -> None:
    sup = world.browser("sup")
    page = sup.get(
        "/board/figures", params={"day": "9999-12-31"}, headers={"Accept-Language": "fr"}
    )
    assert page.status_code == 422
    assert "9999-12-31 est hors des années avec lesquelles accueil travaille" in page.text


def test_a_version_or_a_delivery_past_its_column_is_refused(world: World) -> None:
    admin = world.browser("alpha_admin")
    scripts = admin.get("/accounts/alpha/scripts", params={"old": 1, "new": INTEGER_MAX + 1})
    assert scripts.status_code == 422 and "new" in scripts.text
    sup = world.browser("sup")
    retried = sup.post(f"/board/dead/alpha/{BIGINT_MAX + 1}/retry")
    assert retried.status_code in {403, 422}  # refused either way: no CSRF token, or the number
