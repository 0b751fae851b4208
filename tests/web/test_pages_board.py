"""The supervisor's board: today's figures per account and overall, from the call records."""

from __future__ import annotations

import html
from datetime import timedelta

from web_world import NOW, World

from accueil.services.call_figures import figures, overall
from accueil.services.calls import CallRecord, record_call

# alpha's target is 20 s: one answered in time by a familiar secretary, one late, one abandoned
CALLS = [
    (
        "alpha",
        CallRecord("+33600000001", "+33140000000", NOW, fate="answered", waited=5.0, familiar=True),
    ),
    (
        "alpha",
        CallRecord(
            "+33600000002", "+33140000000", NOW, fate="answered", waited=45.0, familiar=False
        ),
    ),
    ("alpha", CallRecord("+33600000003", "+33140000000", NOW, fate="abandoned", waited=30.0)),
    ("bravo", CallRecord("+447700900001", "+442079460000", NOW, fate="connected")),
    # yesterday: not on today's board
    (
        "alpha",
        CallRecord("+33600000004", "+33140000000", NOW - timedelta(days=1), fate="abandoned"),
    ),
]


def _record(world: World) -> None:
    with world.runtime.unit() as session:
        for account, call in CALLS:
            record_call(session, account, call)


def test_the_figures_of_a_day_per_account_and_overall(world: World) -> None:
    _record(world)
    with world.runtime.unit() as session:
        day = figures(session, NOW - timedelta(hours=9), NOW + timedelta(hours=15))
    bravo, alpha = day  # by name: Bravo Plumbing, Cabinet Alpha
    # the world's own call (answered, no wait known) counts as a call, not as within target
    assert (alpha.account, alpha.calls, alpha.answered, alpha.abandoned) == ("alpha", 4, 3, 1)
    assert (alpha.within_target, alpha.familiar) == (1, 1)
    assert alpha.service_level == 1 / 4 and alpha.abandonment == 1 / 4 and alpha.affinity == 1 / 3
    assert (bravo.calls, bravo.pool, bravo.service_level) == (1, 0, None)
    assert overall(day).calls == 5


def test_the_board_shows_todays_figures_to_the_supervisor(world: World) -> None:
    _record(world)
    page = world.browser("sup").get("/board")
    assert page.status_code == 200
    text = html.unescape(page.text)
    row = text.split('data-testid="per-account"', 1)[1].split("Cabinet Alpha", 1)[1]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:6]]
    assert cells == ["4", "3", "25 %", "25 %", "33 %"]
    assert "Alice" in text, "the pool's secretaries"
    yesterday = world.browser("sup").get("/board", params={"day": "2026-11-30"}).text
    assert "2026-11-30" in yesterday


def test_the_board_does_not_exist_for_a_clients_users(world: World) -> None:
    for user in ("alpha_admin", "claire"):
        answer = world.browser(user).get("/board")
        assert answer.status_code == 404 and "Cabinet Alpha" not in answer.text


def test_the_desk_lays_out_the_screen_pop_answer_phrase_first(world: World) -> None:
    sup = world.browser("sup")
    assert sup.get("/desk").status_code == 200
    pop = sup.get("/desk/pop", params={"to": "01 40 00 00 01", "caller": "+33611111111"})
    assert pop.status_code == 200, pop.text
    text = html.unescape(pop.text)
    answer = text.split('data-testid="answer">', 1)[1].split("</p>", 1)[0]
    assert answer == "Cabinet Alpha, bonjour, secrétariat de Claire Fontaine."
    assert "Claire Fontaine" in text and "Qui est à l'appareil ?" in text
    unknown = sup.get("/desk/pop", params={"to": "01 99 99 99 99"})
    assert unknown.status_code == 404


def test_the_operator_page_lists_the_pool_accounts_users_and_the_audit_log(world: World) -> None:
    from datetime import UTC, datetime

    from accueil.services.audit import AuditEntry, record

    with world.runtime.unit() as session:
        at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
        record(session, AuditEntry(at, "alpha", "alpha_admin", "client_admin", "PUT /x", "/x"))
    root = world.browser("root")
    page = root.get("/operator")
    assert page.status_code == 200
    text = page.text
    assert "Alice" in text and "lyon" in text and "Cabinet Alpha (2)" in text  # a training
    assert "Bravo Plumbing" in text and "alpha_admin" in text
    assert "PUT /x" in text  # the audit log's latest rows
    assert world.browser("sup").get("/operator").status_code == 404  # admins only
    assert world.browser("claire").get("/operator").status_code == 404
