"""The supervisor's snapshot, figures (the twin's definitions, from call records) and events by
cursor; a client's users see only their own account's, others nothing."""

from __future__ import annotations

from datetime import timedelta

from board_world import CLAIRE, MONDAY_10
from sqlalchemy import Engine
from stream_world import Server, next_of, serving

from accueil.core.access import Role
from accueil.services import users
from accueil.services.calls import CallRecord, record_call
from accueil.services.onboarding import load_directory


def _get(server: Server, user: str, url: str, **params: object) -> tuple[int, dict[str, object]]:
    answer = server.client.get(
        url, params=params, headers={"Authorization": f"Bearer {server.tokens[user]}"}
    )
    return answer.status_code, answer.json()


def _another_account(server: Server) -> None:
    with server.runtime.app.unit_of_work() as work:
        load_directory(
            work.session, {"accounts": [{"key": "dupont", "name": "Dupont SA"}]}, now=work.now
        )
        users.add_user(
            work.session, "dupont_admin", Role.CLIENT_ADMIN, account="dupont", now=work.now
        )
        server.tokens["dupont_admin"] = users.create_token(
            work.session, "dupont_admin", "t", now=work.now
        ).secret


def test_the_snapshot_shows_who_waits_since_when_and_the_agents_by_state(
    seeded_lite: Engine,
) -> None:
    with serving(seeded_lite) as server:
        alice, _ = server.connect("alice_user")
        alice.send_json({"type": "ready"})
        next_of(alice, "reply")
        for call in ("c1", "c2"):
            server.on_loop(lambda c=call: server.telephony.inbound(c, "+33612345678", CLAIRE))
        server.advance(5.0)
        status, shown = _get(server, "sup", "/api/v1/supervisor/snapshot")
        assert status == 200
        waiting = {w["call"]: w for w in shown["waiting"]}
        assert waiting["c1"]["offered_to"] == "alice" and waiting["c2"]["offered_to"] is None
        assert waiting["c2"]["since"] == MONDAY_10.isoformat() and waiting["c2"]["waited"] == 5.0
        assert [(a["agent"], a["status"], a["call"]) for a in shown["agents"]] == [
            ("alice", "offered", "c1")
        ]
        assert {c["call"]: c["stage"] for c in shown["calls"]} == {"c1": "offered", "c2": "waiting"}
        for user in ("martin_admin", "claire_user", "alice_user"):
            assert _get(server, user, "/api/v1/supervisor/snapshot")[0] == 403


def test_figures_of_the_day_and_the_hour_use_the_twins_definitions(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        _another_account(server)
        at = MONDAY_10 - timedelta(hours=1)  # 08:00 UTC: today, not this hour
        calls = [  # (offset minutes, fate, waited, agent)
            (-24 * 60, "answered", 3.0, "bob"),  # yesterday: feeds the affinity memory only
            (0, "answered", 4.0, "alice"),  # within Cabinet Martin's 10 s
            (5, "answered", 30.0, "alice"),  # late, by a familiar agent
            (10, "abandoned", 2.0, ""),  # a short abandon: left out
            (15, "abandoned", 40.0, ""),
            (60, "overflowed", 300.0, ""),  # 09:00: this hour
        ]
        with server.runtime.app.unit_of_work() as work:
            for i, (minutes, fate, waited, agent) in enumerate(calls):
                record_call(
                    work.session,
                    "martin",
                    CallRecord(
                        caller="+33612345678", dialled=CLAIRE, call_id=f"k{i}", fate=fate,
                        started_at=at + timedelta(minutes=minutes), waited=waited, agent=agent,
                    ),
                )  # fmt: skip
        status, shown = _get(server, "sup", "/api/v1/supervisor/figures")
        assert status == 200 and shown["day"] == "2026-11-30"
        today = shown["today"]["overall"]
        assert (today["offered"], today["answered"], today["short_abandoned"]) == (4, 2, 1)
        assert (today["service_level"], today["abandonment"]) == (0.25, 0.25)
        assert (today["average_wait"], today["affinity"]) == (17.0, 0.5)
        assert shown["today"]["accounts"]["martin"] == today
        assert shown["this_hour"]["overall"]["offered"] == 1
        assert shown["this_hour"]["overall"]["service_level"] == 0.0
        mine = _get(server, "martin_admin", "/api/v1/accounts/martin/figures")
        assert mine[0] == 200 and mine[1]["today"]["overall"] == today
        # another account's admin: martin does not exist for them; nor the operator's view
        assert _get(server, "dupont_admin", "/api/v1/accounts/martin/figures")[0] == 404
        assert _get(server, "dupont_admin", "/api/v1/supervisor/figures")[0] == 403
        theirs = _get(server, "dupont_admin", "/api/v1/accounts/dupont/figures")[1]
        assert theirs["today"]["overall"]["offered"] == 0
        assert (
            _get(server, "sup", "/api/v1/supervisor/figures", day="2026-11-29")[1]["today"][
                "overall"
            ]["offered"]
            == 1
        )


def test_events_are_read_by_cursor_and_never_across_accounts(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        _another_account(server)
        status, page = _get(server, "sup", "/api/v1/supervisor/events", limit=3)
        assert status == 200 and len(page["items"]) == 3
        cursors = [e["cursor"] for e in page["items"]]
        assert cursors == sorted(cursors) and page["next_cursor"] == cursors[-1]
        rest = _get(server, "sup", "/api/v1/supervisor/events", after=page["next_cursor"])[1]
        assert all(e["cursor"] > cursors[-1] for e in rest["items"])
        martin = _get(server, "martin_admin", "/api/v1/accounts/martin/events")[1]["items"]
        assert martin and {e["account"] for e in martin} == {"martin"}
        theirs = _get(server, "dupont_admin", "/api/v1/accounts/dupont/events")[1]["items"]
        assert {e["account"] for e in theirs} <= {"dupont"}
        assert _get(server, "dupont_admin", "/api/v1/accounts/martin/events")[0] == 404
        assert _get(server, "dupont_admin", "/api/v1/supervisor/events")[0] == 403
        last = rest["next_cursor"]
        assert _get(server, "sup", "/api/v1/supervisor/events", after=last)[1] == {
            "items": [],
            "next_cursor": last,
        }
        # a cursor larger than the store holds is refused, not a driver's overflow
        huge = 2**63
        assert _get(server, "sup", "/api/v1/supervisor/events", after=huge)[0] == 422
        status, said = _get(server, "martin_admin", "/api/v1/accounts/martin/events", after=huge)
        assert status == 422 and "after" in str(said)
        assert _get(server, "sup", "/api/v1/supervisor/events", after=huge - 1)[0] == 200
