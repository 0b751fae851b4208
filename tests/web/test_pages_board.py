"""The supervisor's board: today's figures per account and overall, from the call records, with
the supervisor API's definitions (switchboard/figures.py)."""

from __future__ import annotations

import html
from datetime import timedelta

from aiosmtplib import SMTPResponseException
from sqlalchemy import select
from web_world import NOW, World

from accueil.dispatch.email import _failure
from accueil.errors import says
from accueil.services import deliveries
from accueil.services.calls import CallRecord, record_call
from accueil.services.messages import history, queue
from accueil.store.tables_messages import MessageRow
from accueil.switchboard.figures import figures_between
from settled import settled

ALPHA, BRAVO = "+33140000000", "+442079460000"
# alpha's target is 20 s: one answered in time by alice (who answered alpha yesterday: familiar),
# one late by bob, one abandoned after 30 s, one abandoned after 3 s (short: left out entirely)
CALLS = [
    ("alpha", CallRecord("+33600000001", ALPHA, NOW, agent="alice", waited=5.0)),
    ("alpha", CallRecord("+33600000002", ALPHA, NOW, agent="bob", waited=45.0)),
    ("alpha", CallRecord("+33600000003", ALPHA, NOW, fate="abandoned", waited=30.0)),
    ("alpha", CallRecord("+33600000005", ALPHA, NOW, fate="abandoned", waited=3.0)),
    ("bravo", CallRecord("+447700900001", BRAVO, NOW, fate="connected")),
    # yesterday: not on today's board, but alice's answer feeds the affinity memory
    ("alpha", CallRecord("+33600000004", ALPHA, NOW - timedelta(days=1), fate="abandoned")),
    ("alpha", CallRecord("+33600000006", ALPHA, NOW - timedelta(days=1), agent="alice")),
]


def _record(world: World) -> None:
    with world.runtime.unit() as session:
        for account, call in CALLS:
            record_call(session, account, call)


def test_the_board_reads_the_supervisor_apis_figures(world: World) -> None:
    _record(world)
    with world.runtime.unit() as session:
        total, per_account = figures_between(
            session, NOW - timedelta(hours=9), NOW + timedelta(hours=15)
        )
    alpha = per_account["alpha"]
    # the world's own call (answered, no wait known) counts as answered at once
    assert (alpha.offered, alpha.answered, alpha.abandoned, alpha.short_abandoned) == (4, 3, 1, 1)
    assert alpha.service_level == 2 / 4 and alpha.abandonment == 1 / 4 and alpha.affinity == 1 / 3
    assert "bravo" not in per_account, "a call put through to the person is not the pool's"
    assert total == alpha


def test_the_board_shows_todays_figures_to_the_supervisor(world: World) -> None:
    _record(world)
    page = world.browser("sup").get("/board")
    assert page.status_code == 200
    text = html.unescape(page.text)
    row = text.split('data-testid="per-account"', 1)[1].split("Cabinet Alpha", 1)[1]
    cells = [c.split("</td>")[0] for c in row.split('<td class="num-cell">')[1:6]]
    today = [c.split("<span")[0] for c in cells]
    assert today == ["4", "3", "50 %", "25 %", "33 %"]
    # NOW is 10:00 in Paris: the calls started at NOW are this hour's too
    assert [c.split("this hour ")[1].split("<")[0] for c in cells] == today
    overall = text.split('data-testid="overall"', 1)[1].split("</section>", 1)[0]
    assert "this hour: since 10:00" in overall
    assert '<b>4</b><span class="then">this hour 4</span>' in overall
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
    assert "PUT /x" in root.get("/operator/audit").text  # the audit log's latest rows
    assert world.browser("sup").get("/operator").status_code == 404  # admins only
    assert world.browser("claire").get("/operator").status_code == 404


def test_the_board_shows_messages_not_delivered_and_retries_one_now(world: World) -> None:
    with world.runtime.app.unit_of_work() as work:
        row = work.session.scalars(select(MessageRow).where(MessageRow.uid == world.message)).one()
        dead = queue(work.session, row, "email", "claire@alpha.example", work.now, now=work.now)
        work.session.flush()
        dead.attempts = 8
        deliveries.mark_failed(
            work.session, dead.id, "SMTP 550: mailbox unavailable", now=work.now, retry_at=None
        )
        delivery = dead.id
    sup = world.browser("sup")
    board = html.unescape(sup.get("/board").text)
    section = board.split('data-testid="dead-letters"', 1)[1].split("</section>", 1)[0]
    assert "Cabinet Alpha" in section and "SMTP 550: mailbox unavailable" in section
    assert f"/board/dead/alpha/{delivery}/retry" in section
    headers = {"X-CSRF-Token": sup.cookies["accueil_csrf"], "HX-Request": "true"}
    assert sup.post(f"/board/dead/alpha/{delivery}/retry").status_code == 403  # no CSRF token
    done = sup.post(f"/board/dead/alpha/{delivery}/retry", headers=headers)
    assert done.status_code == 200 and f'id="dead-{delivery}"' in done.text
    with world.runtime.unit() as session:
        assert deliveries.dead_letters(session, "alpha") == []
        last = history(session, "alpha", world.message)[-1]
    assert (last.kind, last.actor, last.detail) == ("queued", "sup", "retry now")
    again = sup.post(f"/board/dead/alpha/{delivery}/retry", headers=headers)
    assert again.status_code == 409  # not dead any more: nothing changes
    after = html.unescape(sup.get("/board").text).split('data-testid="dead-letters"', 1)[1]
    assert "SMTP 550" not in after.split("</section>", 1)[0]


def test_a_delivery_error_is_said_in_the_boards_language_and_an_old_one_as_written(
    world: World,
) -> None:
    refused = _failure(SMTPResponseException(550, "mailbox unavailable"))  # the channel's words
    with world.runtime.app.unit_of_work() as work:
        row = work.session.scalars(select(MessageRow).where(MessageRow.uid == world.message)).one()
        failed = []
        for channel, error in (
            ("sms", says("no %(channel)s channel is configured", channel="sms")),
            ("email", refused.reason),
            ("webhook", "HTTP 503 from before: no words kept"),  # as a row from before 0027
        ):
            dead = queue(work.session, row, channel, "claire@alpha.example", work.now, now=work.now)
            work.session.flush()
            deliveries.mark_failed(work.session, dead.id, error, now=work.now, retry_at=None)
            failed.append(dead)
        assert failed[2].last_error_words is None
    sup = world.browser("sup")
    french = html.unescape(sup.get("/board", headers={"Accept-Language": "fr"}).text)
    section = french.split('data-testid="dead-letters"', 1)[1].split("</section>", 1)[0]
    assert "aucun canal sms n'est configuré" in section
    assert "SMTP 550 : mailbox unavailable" in section, "the server's own words as it said them"
    assert "HTTP 503 from before: no words kept" in section, "an old row as it was written"
    english = html.unescape(sup.get("/board", headers={"Accept-Language": "en"}).text)
    assert "no sms channel is configured" in english and "SMTP 550: mailbox unavailable" in english
    with world.runtime.unit() as session:
        kept = {d.channel: d.last_error for d in deliveries.dead_letters(session, "alpha")}
    assert kept["sms"] == "no sms channel is configured", "the API and the CLI keep the English"
    assert kept["email"] == "SMTP 550: mailbox unavailable"


def test_the_chart_of_the_day_draws_each_quarter_of_an_hour_against_the_target(
    world: World,
) -> None:
    _record(world)
    board = html.unescape(world.browser("sup").get("/board").text)
    chart_div = board.split('id="chart"', 1)[1].split(">", 1)[0]
    assert 'hx-get="/board/chart?day=2026-12-01"' in chart_div
    assert "figures from:body" in chart_div, "fetched again when the stream says a call ended"
    chart = html.unescape(world.browser("sup").get("/board/chart").text)
    assert chart.count("<rect ") == 13 * 4, "7:00 to 20:00, a bar per quarter of an hour"
    assert chart.count('class="tick"') == 13, "each hour marked under the axis"
    assert "target 80 %" in chart and 'class="target-line"' in chart
    row = chart.split('data-testid="chart-table"', 1)[1].split("<tbody>", 1)[1]
    cells = [c.split("</td>")[0].split(">")[-1] for c in row.split("</tr>")[0].split("<td")[1:]]
    assert cells == ["10:00–10:15", "4", "3", "50 %"]
    assert chart.count('class="level-point below"') == 1, "one quarter with calls, under target"
    assert world.browser("claire").get("/board/chart").status_code == 404


def test_the_board_is_told_by_the_stream_not_by_a_clock(world: World) -> None:
    """The line now and the figures are fetched when the supervisor stream says something
    changed (static/board.js): no polling of the line; the stream resumes from the cursor of
    the last event written when the page was made."""
    _record(world)
    cursor = settled(world.runtime.app.sessions)[-1].id  # the last event the page can know
    board = html.unescape(world.browser("sup").get("/board").text)
    now = board.split('id="now"', 1)[1].split(">", 1)[0]
    assert 'hx-trigger="load, line from:body"' in now and "every" not in now
    assert '<script src="/static/board.js" defer>' in board
    assert f'data-cursor="{cursor}"' in board
    figures = html.unescape(world.browser("sup").get("/board/figures").text)
    assert 'data-testid="per-account"' in figures and "Cabinet Alpha" in figures
    assert world.browser("claire").get("/board/figures").status_code == 404
    other_day = html.unescape(world.browser("sup").get("/board?day=2026-11-30").text)
    assert 'data-testid="this-hour"' not in other_day, "this hour is today's only"
    assert 'hx-get="/board/figures"' not in other_day, "another day does not change"
